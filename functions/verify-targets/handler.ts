import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { AWS_CLIENT_CONFIG } from '../commons/aws-clients.js';
import { stepHandler } from '../commons/middleware.js';
import { observability } from '../commons/observability.js';
import type { Verification } from '../contract/shapes.js';
import { STEP } from '../contract/states.js';
import { type VerifyTargetsInput, verifyTargets } from './verify-targets.js';

const o = observability(STEP.verifyTargets);
const deps = {
  ecs: new ECSClient(AWS_CLIENT_CONFIG),
  elb: new ElasticLoadBalancingV2Client(AWS_CLIENT_CONFIG),
};

export const handler = stepHandler<VerifyTargetsInput, Verification>(o).handler((event: VerifyTargetsInput) =>
  verifyTargets(event, deps),
);
