import { deploymentTurnsFromEnv } from '../commons/from-env.js';
import { stepHandler } from '../commons/middleware.js';
import { observability } from '../commons/observability.js';
import { STEP } from '../contract/states.js';
import { type DeploymentSummary, type FinalizeInput, finalize } from './finalize.js';

const o = observability(STEP.finalize);
const deps = { ...deploymentTurnsFromEnv(o), logger: o.logger };

export const handler = stepHandler<FinalizeInput, DeploymentSummary>(o).handler((event: FinalizeInput) =>
  finalize(event, deps),
);
