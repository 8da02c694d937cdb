import { deploymentTurnsFromEnv } from '../commons/from-env.js';
import { stepHandler } from '../commons/middleware.js';
import { observability } from '../commons/observability.js';
import { STEP } from '../contract/states.js';
import { type OutcomeSummary, recordOutcome } from './record-outcome.js';

const o = observability(STEP.recordOutcome);
const deps = { ...deploymentTurnsFromEnv(o), logger: o.logger };

/** Target of the rule on this state machine's `Step Functions Execution Status Change` events. */
export const handler = stepHandler<unknown, OutcomeSummary>(o).handler((event: unknown) =>
  recordOutcome(event, deps),
);
