import { ECSClient } from '@aws-sdk/client-ecs';
import { AWS_CLIENT_CONFIG } from '../commons/aws-clients.js';
import { requireNumber } from '../commons/env.js';
import { stepHandler } from '../commons/middleware.js';
import { observability } from '../commons/observability.js';
import { type CheckRolloutInput, checkRollout } from '../commons/rollout-check.js';
import { ENV } from '../contract/environment.js';
import type { Rollout } from '../contract/shapes.js';
import { STEP } from '../contract/states.js';

const o = observability(STEP.checkRollout);
const deps = {
  ecs: new ECSClient(AWS_CLIENT_CONFIG),
  timeoutSeconds: requireNumber(ENV.rolloutTimeoutSeconds),
};

/** The fallback when no ECS event settled the wait in time: one check by API. */
export const handler = stepHandler<CheckRolloutInput, Rollout>(o).handler((event: CheckRolloutInput) =>
  checkRollout(event, deps),
);
