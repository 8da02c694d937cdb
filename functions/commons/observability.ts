import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { StepName } from '../contract/states.js';

/** The Powertools service name of every stepship function: one name to search the logs and traces by. */
export const SERVICE_NAME = 'stepship';

/** A function's structured logger; every line carries the step (and, per invocation, the execution id). */
export function createLogger(step: StepName): Logger {
  return new Logger({ serviceName: SERVICE_NAME, persistentKeys: { step } });
}

/**
 * The function's X-Ray tracer. Off when the SDK's endpoint is on loopback:
 * that is the local cloud, which has no X-Ray daemon to send segments to.
 * Deciding it here, at run time, keeps the template the local cloud
 * provisions identical to the one deployed to AWS. (Outside Lambda, e.g. in
 * tests, Powertools turns the tracer off by itself.)
 */
export function createTracer(env: NodeJS.ProcessEnv = process.env): Tracer {
  return new Tracer({ serviceName: SERVICE_NAME, enabled: !pointsAtLoopback(env.AWS_ENDPOINT_URL) });
}

export function pointsAtLoopback(endpoint: string | undefined): boolean {
  if (!endpoint) return false;
  try {
    const host = new URL(endpoint).hostname;
    return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
  } catch {
    return false;
  }
}

export interface StepObservability {
  logger: Logger;
  tracer: Tracer;
  /** The SDK client, with its calls recorded as subsegments of the step's trace. */
  traced: <Client>(client: Client) => Client;
}

/** The logger and tracer of one function, created once at cold start. */
export function observability(step: StepName): StepObservability {
  const logger = createLogger(step);
  const tracer = createTracer();
  return { logger, tracer, traced: (client) => tracer.captureAWSv3Client(client) };
}
