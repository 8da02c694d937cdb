import { ECSClient } from '@aws-sdk/client-ecs';
import middy from '@middy/core';
import { AWS_CLIENT_CONFIG } from '../commons/aws-clients.js';
import { stepMiddleware } from '../commons/middleware.js';
import { type RegisterInput, registerNewRevision } from './register-task-definition.js';

const deps = { ecs: new ECSClient(AWS_CLIENT_CONFIG) };

export const handler = middy<RegisterInput>()
  .use(stepMiddleware('register-task-definition'))
  .handler((event: RegisterInput) => registerNewRevision(event, deps));
