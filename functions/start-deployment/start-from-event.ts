import type { Logger } from '@aws-lambda-powertools/logger';
import { DeploymentInProgressError, IdempotencyConflictError, ValidationError } from '../commons/errors.js';
import { type HttpResponse, jsonResponse } from '../commons/http-responder.js';
import { answersHttp } from './parse-event.js';
import {
  parseStartEvent,
  type StartDeploymentDeps,
  type Started,
  startDeployment,
} from './start-deployment.js';

/** An event's outcome (a push, a Deployment Request): EventBridge reads no answer, but the log and the tests do. */
export type EventOutcome =
  | (Started & { links: { self: string } })
  | { started: false; error: string; message: string };

export type StartResponse = HttpResponse | EventOutcome;

/**
 * Starts the deployment an event asks for. API and CLI get an HTTP-shaped
 * answer (202 accepted — started or queued —, 200 for a repeat; the
 * responder answers bad requests, and 409 while the service is busy); an
 * event (a push, a Deployment Request) that can't deploy — a busy service
 * included, as it asked not to queue — is logged and dropped, unchanged,
 * while any other failure propagates so EventBridge retries it.
 */
export async function startFromEvent(
  event: unknown,
  deps: StartDeploymentDeps & { logger: Logger },
): Promise<StartResponse> {
  if (answersHttp(event)) {
    const started = await start(event, deps);
    return jsonResponse(started.duplicate ? 200 : 202, started);
  }
  try {
    return await start(event, deps);
  } catch (err) {
    const refused =
      err instanceof ValidationError ||
      err instanceof IdempotencyConflictError ||
      err instanceof DeploymentInProgressError;
    if (!refused) throw err;
    // `reason`, not `message`: the logger's own key for the line's message.
    deps.logger.warn('event dropped', { error: err.name, reason: err.message });
    return { started: false, error: err.name, message: err.message };
  }
}

async function start(event: unknown, deps: StartDeploymentDeps & { logger: Logger }) {
  const started = await startDeployment(parseStartEvent(event, deps.services), deps);
  deps.logger.info(started.duplicate ? 'repeated request: deployment exists' : 'deployment accepted', {
    deploymentId: started.deploymentId,
    status: started.status,
    trigger: started.request.trigger,
    service: started.request.service,
  });
  return { ...started, links: { self: `/deployments/${started.deploymentId}` } };
}
