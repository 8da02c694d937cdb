import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { ERROR, type ErrorName } from '../contract/errors.js';

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * The HTTP API's answers to the errors a caller can fix. Any other error
 * stays the function's failure: API Gateway answers it with a 500, and the
 * ECR push rule's EventBridge target retries it.
 */
const STATUS_OF: Partial<Record<ErrorName, number>> = {
  [ERROR.validation]: 400,
  [ERROR.deploymentNotFound]: 404,
  [ERROR.idempotencyConflict]: 409,
  [ERROR.deploymentInProgress]: 409,
};

export function jsonResponse(statusCode: number, body: unknown): HttpResponse {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/**
 * The one responder of stepship's HTTP functions: an error the caller can
 * fix becomes `{ "error": <name>, "message": … }` with its status code.
 * `answers` limits it to the events that expect an HTTP answer.
 */
export function httpErrorResponder<TEvent>(
  logger: Logger,
  answers: (event: TEvent) => boolean = () => true,
): MiddlewareObj<TEvent, unknown, Error, Context> {
  return {
    name: 'stepship-http-error-responder',
    onError: (request) => {
      const err = request.error;
      const status = err ? STATUS_OF[err.name as ErrorName] : undefined;
      if (!err || status === undefined || !answers(request.event)) return;
      logger.warn('request rejected', { error: err.name, message: err.message, statusCode: status });
      request.response = jsonResponse(status, { error: err.name, message: err.message, ...detailsOf(err) });
    },
  };
}

/** The fields an error carries for its caller besides its message (e.g. the deployment that holds a service). */
function detailsOf(err: Error): Record<string, unknown> {
  const details = (err as { details?: unknown }).details;
  return typeof details === 'object' && details !== null ? { ...details } : {};
}
