import { SFNClient } from '@aws-sdk/client-sfn';
import { AWS_CLIENT_CONFIG } from '../commons/aws-clients.js';
import { requireEnv, requireStringMap } from '../commons/env.js';
import { httpErrorResponder } from '../commons/http-responder.js';
import { stepHandler } from '../commons/middleware.js';
import { observability } from '../commons/observability.js';
import { ENV } from '../contract/environment.js';
import { STEP } from '../contract/states.js';
import { kindOf } from './parse-event.js';
import { type StartResponse, startFromEvent } from './start-from-event.js';

const o = observability(STEP.startDeployment);
const deps = {
  sfn: new SFNClient(AWS_CLIENT_CONFIG),
  stateMachineArn: requireEnv(ENV.stateMachineArn),
  services: {
    repositories: requireStringMap(ENV.serviceRepositories),
    sourceBucket: requireEnv(ENV.sourceBucket),
  },
  logger: o.logger,
};

/**
 * One entry for the HTTP API, the ECR push rule and the CLI. API and CLI get
 * an HTTP-shaped answer (202 started, 200 duplicate, 4xx bad request); a push
 * event that can't deploy is logged and dropped (retrying it can't help).
 */
export const handler = stepHandler<unknown, StartResponse>(o)
  .use(httpErrorResponder(o.logger, (event) => kindOf(event) !== 'push'))
  .handler((event: unknown) => startFromEvent(event, deps));
