import { Logger } from '@aws-lambda-powertools/logger';
import type { StepName } from '../contract/states.js';

/** The Powertools service name of every stepship function: one name to search the logs by. */
export const SERVICE_NAME = 'stepship';

/** A function's structured logger; every line carries the step (and, per invocation, the execution id). */
export function createLogger(step: StepName): Logger {
  return new Logger({ serviceName: SERVICE_NAME, persistentKeys: { step } });
}

/**
 * What a function observes itself with. Tracing needs no SDK in the bundle:
 * the function's active tracing (NodeFunction) records each invocation in
 * the execution's X-Ray trace, the SDK passes that trace's header on with
 * every AWS call (its recursion-detection middleware), and each log line
 * carries the trace id. The X-Ray SDK that Powertools Tracer brings would
 * add SDK-call subsegments for about a quarter of every bundle and of the
 * cold start's CPU time (see bench/RESULTS.md).
 */
export interface StepObservability {
  logger: Logger;
}

/** The logger of one function, created once at cold start. */
export function observability(step: StepName): StepObservability {
  return { logger: createLogger(step) };
}
