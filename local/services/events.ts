import { randomUUID } from 'node:crypto';
import { AwsError, requireString } from '../http/aws-error.js';
import { type JsonService, LegacyOperations } from '../http/json-protocol.js';
import { matches } from './event-pattern.js';

interface Rule {
  name: string;
  arn: string;
  eventPattern: unknown;
  state: 'ENABLED' | 'DISABLED';
  description?: string;
  targets: { Id: string; Arn: string }[];
}

export interface CloudEvent {
  source: string;
  'detail-type': string;
  detail: Record<string, unknown>;
  resources?: string[];
}

/** Delivers an event to a target ARN (a Lambda function, asynchronously). */
export type TargetInvoker = (arn: string, event: Record<string, unknown>) => Promise<void>;

/**
 * EventBridge's default bus: rules with event patterns and Lambda targets.
 * Local services (ECR pushes) and PutEvents both publish through it.
 */
export class EventBus {
  private readonly rules = new Map<string, Rule>();
  readonly delivered: { rule: string; target: string; event: Record<string, unknown> }[] = [];

  constructor(
    private readonly region: string,
    private readonly accountId: string,
    private readonly invoke: TargetInvoker,
  ) {}

  putRule(
    name: string,
    eventPattern: unknown,
    description?: string,
    state: Rule['state'] = 'ENABLED',
  ): string {
    const arn = `arn:aws:events:${this.region}:${this.accountId}:rule/${name}`;
    const existing = this.rules.get(name);
    this.rules.set(name, { name, arn, eventPattern, description, state, targets: existing?.targets ?? [] });
    return arn;
  }

  putTargets(rule: string, targets: { Id: string; Arn: string }[]): void {
    const found = this.rules.get(rule);
    if (!found)
      throw new AwsError('ResourceNotFoundException', `Rule ${rule} does not exist on EventBus default.`);
    for (const target of targets) {
      found.targets = [...found.targets.filter((t) => t.Id !== target.Id), target];
    }
  }

  /** Publishes an event as AWS would shape it; matching rules deliver it to their targets. */
  publish(event: CloudEvent): string {
    const id = randomUUID();
    const full = {
      version: '0',
      id,
      'detail-type': event['detail-type'],
      source: event.source,
      account: this.accountId,
      time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.region,
      resources: event.resources ?? [],
      detail: event.detail,
    };
    for (const rule of this.rules.values()) {
      if (rule.state !== 'ENABLED' || !matches(rule.eventPattern, full)) continue;
      for (const target of rule.targets) {
        this.delivered.push({ rule: rule.name, target: target.Arn, event: full });
        this.invoke(target.Arn, full).catch(() => undefined);
      }
    }
    return id;
  }

  readonly api: JsonService = {
    name: 'EventBridge',
    targetPrefix: 'AWSEvents',
    jsonVersion: '1.1',
    codes: { missing: 'ValidationException', wrongType: 'SerializationException' },
    operations: LegacyOperations.of({
      PutRule: (input) => {
        const name = requireString(input, 'Name');
        let pattern: unknown;
        try {
          pattern = JSON.parse(requireString(input, 'EventPattern'));
        } catch {
          throw new AwsError('InvalidEventPatternException', 'Event pattern is not valid JSON');
        }
        return {
          RuleArn: this.putRule(
            name,
            pattern,
            input.Description as string | undefined,
            (input.State as Rule['state']) ?? 'ENABLED',
          ),
        };
      },
      PutTargets: (input) => {
        this.putTargets(requireString(input, 'Rule'), (input.Targets as { Id: string; Arn: string }[]) ?? []);
        return { FailedEntryCount: 0, FailedEntries: [] };
      },
      ListRules: (input) => {
        const prefix = (input.NamePrefix as string | undefined) ?? '';
        return {
          Rules: [...this.rules.values()]
            .filter((r) => r.name.startsWith(prefix))
            .map((r) => ({
              Name: r.name,
              Arn: r.arn,
              EventPattern: JSON.stringify(r.eventPattern),
              State: r.state,
              Description: r.description,
              EventBusName: 'default',
            })),
        };
      },
      ListTargetsByRule: (input) => {
        const rule = this.rules.get(requireString(input, 'Rule'));
        if (!rule)
          throw new AwsError('ResourceNotFoundException', `Rule ${String(input.Rule)} does not exist.`);
        return { Targets: rule.targets };
      },
      PutEvents: (input) => {
        const entries = (input.Entries as Record<string, unknown>[] | undefined) ?? [];
        const results = entries.map((e) => {
          let detail: Record<string, unknown> = {};
          try {
            detail = JSON.parse(String(e.Detail ?? '{}')) as Record<string, unknown>;
          } catch {
            return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is not valid JSON' };
          }
          return {
            EventId: this.publish({
              source: String(e.Source),
              'detail-type': String(e.DetailType),
              detail,
              resources: e.Resources as string[],
            }),
          };
        });
        return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
      },
    }),
  };
}
