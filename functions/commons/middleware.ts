import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { isTransientAwsError, TransientAwsError } from './errors.js';

function executionIdOf(event: unknown): string | undefined {
  const e = event as {
    execution?: { Id?: string };
    deployment?: { executionArn?: string };
  } | null;
  return e?.execution?.Id ?? e?.deployment?.executionArn;
}

/**
 * A log line at the start and end of every step, correlated with the Step
 * Functions execution; AWS throttling and 5xx failures re-thrown as
 * `TransientAwsError` (the state machine retries those); other errors keep
 * their name, which the state machine matches.
 */
export function stepLifecycle<TEvent, TResult>(
  logger: Logger,
): MiddlewareObj<TEvent, TResult, Error, Context> {
  let started = 0;
  return {
    name: 'stepship-step',
    before: (request) => {
      started = Date.now();
      const executionId = executionIdOf(request.event);
      if (executionId) logger.appendKeys({ executionId });
      logger.info('step started');
    },
    after: () => {
      logger.info('step finished', { durationMs: Date.now() - started });
    },
    onError: (request) => {
      const err = request.error;
      if (!err) return;
      if (request.response !== undefined) {
        // A responder answered it (e.g. 400 to a malformed API request): the step did its job.
        logger.info('step finished', { durationMs: Date.now() - started, answered: err.name });
        return;
      }
      if (isTransientAwsError(err) && !(err instanceof TransientAwsError)) {
        request.error = new TransientAwsError(`${err.name}: ${err.message}`, { cause: err });
      }
      logger.error('step failed', {
        durationMs: Date.now() - started,
        error: request.error?.name,
        message: request.error?.message,
      });
    },
  };
}

/**
 * Every stepship function's middleware, in one place: the Lambda context
 * and a per-invocation reset in the logger, and the step lifecycle. The handler file may add a responder, then its logic with
 * `.handler(…)`; middy runs onError in reverse order, so a responder added
 * later answers before the lifecycle logs.
 */
export function stepHandler<TEvent, TResult>({ logger }: { logger: Logger }) {
  return middy<TEvent, TResult, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(stepLifecycle<TEvent, TResult>(logger));
}
