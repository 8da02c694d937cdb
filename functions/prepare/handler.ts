import { ECSClient } from '@aws-sdk/client-ecs';
import { AWS_CLIENT_CONFIG } from '../commons/aws-clients.js';
import { requireNumber } from '../commons/env.js';
import { recordsAndEventsFromEnv } from '../commons/from-env.js';
import { stepHandler } from '../commons/middleware.js';
import { observability } from '../commons/observability.js';
import { ENV } from '../contract/environment.js';
import type { PreparedDeployment } from '../contract/shapes.js';
import { STEP } from '../contract/states.js';
import { type PrepareInput, prepare } from './prepare.js';

const o = observability(STEP.prepare);
const { records, events } = recordsAndEventsFromEnv(o);
const deps = {
  ecs: new ECSClient(AWS_CLIENT_CONFIG),
  records,
  events,
  lockTtlSeconds: requireNumber(ENV.lockTtlSeconds),
};

export const handler = stepHandler<PrepareInput, PreparedDeployment>(o).handler((event: PrepareInput) =>
  prepare(event, deps),
);
