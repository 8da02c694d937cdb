import { SFNClient } from '@aws-sdk/client-sfn';
import middy from '@middy/core';
import { AWS_CLIENT_CONFIG } from '../commons/aws-clients.js';
import { requireEnv } from '../commons/env.js';
import { ValidationError } from '../commons/errors.js';
import { log, stepMiddleware } from '../commons/middleware.js';
import { classify } from './parse-event.js';
import { IdempotencyConflictError, parseStartEvent, startDeployment } from './start-deployment.js';

const deps = {
  sfn: new SFNClient(AWS_CLIENT_CONFIG),
  stateMachineArn: requireEnv('STATE_MACHINE_ARN'),
  target: {
    serviceName: requireEnv('SERVICE_NAME'),
    repositoryName: requireEnv('REPOSITORY_NAME'),
    sourceBucket: requireEnv('SOURCE_BUCKET'),
  },
};

interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const respond = (statusCode: number, body: unknown): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/**
 * One entry for the HTTP API, the ECR push rule and the CLI. API and CLI get
 * an HTTP-shaped answer (202 started, 200 duplicate, 4xx bad request); a push
 * event that can't deploy is logged and dropped (retrying it can't help).
 */
export const handler = middy<unknown>()
  .use(stepMiddleware('start-deployment'))
  .handler(async (event: unknown): Promise<HttpResponse | Record<string, unknown>> => {
    const kind = safeKind(event);
    try {
      const started = await startDeployment(parseStartEvent(event, deps.target), deps);
      log.info(started.duplicate ? 'duplicate request: execution exists' : 'deployment started', {
        deploymentId: started.deploymentId,
        trigger: started.request.trigger,
      });
      const body = { ...started, links: { self: `/deployments/${started.deploymentId}` } };
      return kind === 'push' ? body : respond(started.duplicate ? 200 : 202, body);
    } catch (err) {
      const status =
        err instanceof ValidationError ? 400 : err instanceof IdempotencyConflictError ? 409 : undefined;
      if (status === undefined) throw err;
      const error = err as Error;
      log.warn('request rejected', { error: error.name, message: error.message, kind });
      if (kind === 'push') return { started: false, error: error.name, message: error.message };
      return respond(status, { error: error.name, message: error.message });
    }
  });

function safeKind(event: unknown): string {
  try {
    return classify(event).kind;
  } catch {
    return 'cli';
  }
}
