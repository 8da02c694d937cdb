import { ECSClient } from '@aws-sdk/client-ecs';
import { AWS_CLIENT_CONFIG } from '../commons/aws-clients.js';
import { stepHandler } from '../commons/middleware.js';
import { observability } from '../commons/observability.js';
import type { RegisteredTaskDefinition } from '../contract/shapes.js';
import { STEP } from '../contract/states.js';
import { type RegisterInput, registerNewRevision } from './register-task-definition.js';

const o = observability(STEP.registerTaskDefinition);
const deps = { ecs: new ECSClient(AWS_CLIENT_CONFIG) };

export const handler = stepHandler<RegisterInput, RegisteredTaskDefinition>(o).handler(
  (event: RegisterInput) => registerNewRevision(event, deps),
);
