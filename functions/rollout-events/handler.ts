import { stepHandler } from '../commons/middleware.js';
import { observability } from '../commons/observability.js';
import { rolloutWaitingDeps } from '../commons/rollout-waiting.js';
import { STEP } from '../contract/states.js';
import { type EventOutcome, onEcsEvent } from './rollout-events.js';

const o = observability(STEP.rolloutEvents);
const deps = rolloutWaitingDeps();

export const handler = stepHandler<unknown, EventOutcome>(o).handler(async (event: unknown) => {
  const outcome = await onEcsEvent(event, deps);
  // EventBridge drops the result: the log line is where an event's effect can be read.
  o.logger.info('ECS event handled', { signal: outcome.signal, waiters: outcome.waiters });
  return outcome;
});
