import { deploymentTurnsFromEnv } from '../commons/from-env.js';
import { stepHandler } from '../commons/middleware.js';
import { observability } from '../commons/observability.js';
import { STEP } from '../contract/states.js';
import { type FailureSummary, type RecordFailureInput, recordFailure } from './record-failure.js';

const o = observability(STEP.recordFailure);
const deps = { ...deploymentTurnsFromEnv(o), logger: o.logger };

export const handler = stepHandler<RecordFailureInput, FailureSummary>(o).handler(
  (event: RecordFailureInput) => recordFailure(event, deps),
);
