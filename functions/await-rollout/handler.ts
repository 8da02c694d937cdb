import { stepHandler } from '../commons/middleware.js';
import { observability } from '../commons/observability.js';
import { rolloutWaitingDeps } from '../commons/rollout-waiting.js';
import { STEP } from '../contract/states.js';
import { type AwaitRolloutInput, type AwaitRolloutResult, awaitRollout } from './await-rollout.js';

const o = observability(STEP.awaitRollout);
const deps = rolloutWaitingDeps();

export const handler = stepHandler<AwaitRolloutInput, AwaitRolloutResult>(o).handler(
  (event: AwaitRolloutInput) => awaitRollout(event, deps),
);
