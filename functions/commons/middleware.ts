import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { isTransientAwsError, TransientAwsError } from './errors.js';
import { createLogger, type Logger } from './logger.js';

/** The log of the current invocation; `stepMiddleware` gives it the step and execution id. */
export let log: Logger = createLogger();

function executionIdOf(event: unknown): string | undefined {
  const e = event as {
    execution?: { Id?: string };
    deployment?: { executionArn?: string };
  } | null;
  return e?.execution?.Id ?? e?.deployment?.executionArn;
}

/**
 * Wraps every step: a structured log line at start and end carrying the step
 * name, Lambda request id and Step Functions execution id; AWS throttling and
 * 5xx failures re-thrown as `TransientAwsError` (the state machine retries
 * those); other errors keep their name, which the state machine matches.
 */
export function stepMiddleware<TEvent = unknown, TResult = unknown>(
  step: string,
): MiddlewareObj<TEvent, TResult, Error, Context> {
  let started = 0;
  return {
    name: 'stepship-step',
    before: (request) => {
      started = Date.now();
      log = createLogger({
        step,
        requestId: request.context?.awsRequestId,
        executionId: executionIdOf(request.event),
      });
      log.info('step started');
    },
    after: () => {
      log.info('step finished', { durationMs: Date.now() - started });
    },
    onError: (request) => {
      const err = request.error;
      if (!err) return;
      if (isTransientAwsError(err) && !(err instanceof TransientAwsError)) {
        request.error = new TransientAwsError(`${err.name}: ${err.message}`, { cause: err });
      }
      log.error('step failed', {
        durationMs: Date.now() - started,
        error: request.error?.name,
        message: request.error?.message,
      });
    },
  };
}
