import { ECSClient } from '@aws-sdk/client-ecs';
import middy from '@middy/core';
import { AWS_CLIENT_CONFIG } from '../commons/aws-clients.js';
import { stepMiddleware } from '../commons/middleware.js';
import { type UpdateServiceInput, updateService } from './update-service.js';

const deps = { ecs: new ECSClient(AWS_CLIENT_CONFIG) };

export const handler = middy<UpdateServiceInput>()
  .use(stepMiddleware('update-service'))
  .handler((event: UpdateServiceInput) => updateService(event, deps));
