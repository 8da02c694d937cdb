import { ECSClient } from '@aws-sdk/client-ecs';
import middy from '@middy/core';
import { AWS_CLIENT_CONFIG } from '../commons/aws-clients.js';
import { requireNumber } from '../commons/env.js';
import { stepMiddleware } from '../commons/middleware.js';
import { type CheckRolloutInput, checkRollout } from './check-rollout.js';

const deps = {
  ecs: new ECSClient(AWS_CLIENT_CONFIG),
  timeoutSeconds: requireNumber('ROLLOUT_TIMEOUT_SECONDS'),
  pollSeconds: requireNumber('ROLLOUT_POLL_SECONDS'),
};

export const handler = middy<CheckRolloutInput>()
  .use(stepMiddleware('check-rollout'))
  .handler((event: CheckRolloutInput) => checkRollout(event, deps));
