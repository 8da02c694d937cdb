import type { Logger } from '@aws-lambda-powertools/logger';
import { IdempotencyConflictError, ValidationError } from '../commons/errors.js';
import { type HttpResponse, jsonResponse } from '../commons/http-responder.js';
import { kindOf } from './parse-event.js';
import {
  parseStartEvent,
  type StartDeploymentDeps,
  type Started,
  startDeployment,
} from './start-deployment.js';

/** A push event's outcome: EventBridge reads no answer, but the log and the tests do. */
export type PushOutcome =
  | (Started & { links: { self: string } })
  | { started: false; error: string; message: string };

export type StartResponse = HttpResponse | PushOutcome;

/**
 * Starts the deployment an event asks for. API and CLI get an HTTP-shaped
 * answer (202 started, 200 duplicate; the responder answers bad requests);
 * a push that can't deploy is logged and dropped, since retrying it can't
 * help, while any other failure propagates so EventBridge retries it.
 */
export async function startFromEvent(
  event: unknown,
  deps: StartDeploymentDeps & { logger: Logger },
): Promise<StartResponse> {
  if (kindOf(event) !== 'push') {
    const started = await start(event, deps);
    return jsonResponse(started.duplicate ? 200 : 202, started);
  }
  try {
    return await start(event, deps);
  } catch (err) {
    if (!(err instanceof ValidationError || err instanceof IdempotencyConflictError)) throw err;
    deps.logger.warn('push event dropped', { error: err.name, message: err.message });
    return { started: false, error: err.name, message: err.message };
  }
}

async function start(event: unknown, deps: StartDeploymentDeps & { logger: Logger }) {
  const started = await startDeployment(parseStartEvent(event, deps.services), deps);
  deps.logger.info(started.duplicate ? 'duplicate request: execution exists' : 'deployment started', {
    deploymentId: started.deploymentId,
    trigger: started.request.trigger,
    service: started.request.service,
  });
  return { ...started, links: { self: `/deployments/${started.deploymentId}` } };
}
