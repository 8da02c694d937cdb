import { requireEnv, requireStringMap } from '../commons/env.js';
import { deploymentTurnsFromEnv } from '../commons/from-env.js';
import { httpErrorResponder } from '../commons/http-responder.js';
import { stepHandler } from '../commons/middleware.js';
import { observability } from '../commons/observability.js';
import { ENV } from '../contract/environment.js';
import { STEP } from '../contract/states.js';
import { answersHttp } from './parse-event.js';
import { type StartResponse, startFromEvent } from './start-from-event.js';

const o = observability(STEP.startDeployment);
const deps = {
  ...deploymentTurnsFromEnv(o),
  services: {
    repositories: requireStringMap(ENV.serviceRepositories),
    sourceBucket: requireEnv(ENV.sourceBucket),
  },
  logger: o.logger,
};

/**
 * One entry for the HTTP API, the CLI, the ECR push rule and the
 * Deployment Request rule. API and CLI get an HTTP-shaped answer (202
 * accepted, 200 repeat, 4xx bad request); an event that can't deploy is
 * logged and dropped (retrying it can't help).
 */
export const handler = stepHandler<unknown, StartResponse>(o)
  .use(httpErrorResponder(o.logger, answersHttp))
  .handler((event: unknown) => startFromEvent(event, deps));
