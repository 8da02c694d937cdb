import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import middy from '@middy/core';
import { AWS_CLIENT_CONFIG } from '../commons/aws-clients.js';
import { stepMiddleware } from '../commons/middleware.js';
import { type VerifyTargetsInput, verifyTargets } from './verify-targets.js';

const deps = {
  ecs: new ECSClient(AWS_CLIENT_CONFIG),
  elb: new ElasticLoadBalancingV2Client(AWS_CLIENT_CONFIG),
};

export const handler = middy<VerifyTargetsInput>()
  .use(stepMiddleware('verify-targets'))
  .handler((event: VerifyTargetsInput) => verifyTargets(event, deps));
