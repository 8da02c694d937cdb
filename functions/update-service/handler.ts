import { ECSClient } from '@aws-sdk/client-ecs';
import { AWS_CLIENT_CONFIG } from '../commons/aws-clients.js';
import { stepHandler } from '../commons/middleware.js';
import { observability } from '../commons/observability.js';
import type { Rollout } from '../contract/shapes.js';
import { STEP } from '../contract/states.js';
import { type UpdateServiceInput, updateService } from './update-service.js';

const o = observability(STEP.updateService);
const deps = { ecs: new ECSClient(AWS_CLIENT_CONFIG) };

export const handler = stepHandler<UpdateServiceInput, Rollout>(o).handler((event: UpdateServiceInput) =>
  updateService(event, deps),
);
