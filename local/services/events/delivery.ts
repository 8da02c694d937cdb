import type { Target } from '@aws-sdk/client-eventbridge';
import type { Scope } from '../../core/scope.js';

/** An event as EventBridge delivers it to targets. */
export interface EventEnvelope {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/** Hands a payload to a target (a Lambda function, a state machine…); rejects when it can't. */
export type TargetInvoker = (
  scope: Scope,
  target: Target & { Arn: string },
  payload: unknown,
) => Promise<void>;

export interface Delivery {
  rule: string;
  target: string;
  event: EventEnvelope;
  status: 'pending' | 'delivered' | 'failed';
  error?: string;
}

/** What a target receives: the event, or what its Input / InputPath make of it. */
export function payloadFor(target: Target, event: EventEnvelope): unknown {
  if (target.Input !== undefined) return JSON.parse(target.Input) as unknown;
  if (target.InputPath !== undefined) return select(event, target.InputPath);
  if (target.InputTransformer !== undefined)
    throw new Error('InputTransformer is not emulated by the local cloud; use Input or InputPath');
  return event;
}

/** A JSONPath of plain member steps (`$`, `$.detail.x`, `$['detail-type']`), as InputPath uses. */
function select(event: EventEnvelope, path: string): unknown {
  const steps = [...path.matchAll(/\.([^.[\]]+)|\['([^']*)'\]|\[(\d+)\]/g)];
  if (!path.startsWith('$') || steps.map((m) => m[0]).join('') !== path.slice(1))
    throw new Error(`InputPath ${path} is not a JSONPath the local cloud resolves`);
  let value: unknown = event;
  for (const [, member, quoted, index] of steps) {
    if (value === null || typeof value !== 'object') return undefined;
    const key = member ?? quoted ?? index ?? '';
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** A bounded record of recent deliveries, for tests and troubleshooting (failures are kept with their reason). */
export class DeliveryLog {
  private readonly entries: Delivery[] = [];

  constructor(private readonly capacity = 1000) {}

  add(delivery: Delivery): Delivery {
    this.entries.push(delivery);
    if (this.entries.length > this.capacity) this.entries.shift();
    return delivery;
  }

  /** The deliveries still held, oldest first. */
  get recent(): readonly Delivery[] {
    return this.entries;
  }

  get failures(): Delivery[] {
    return this.entries.filter((d) => d.status === 'failed');
  }
}
