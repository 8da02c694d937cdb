import { randomUUID } from 'node:crypto';
import {
  DeleteRuleCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  type PutEventsResultEntry,
  PutRuleCommand,
  type PutRuleRequest,
  PutTargetsCommand,
  RemoveTargetsCommand,
  type Rule as RuleShape,
  type Target,
} from '@aws-sdk/client-eventbridge';
import { arns } from '../../core/arns.js';
import { define, OperationTable } from '../../core/operation.js';
import { paginate } from '../../core/pagination.js';
import type { Scope } from '../../core/scope.js';
import { RegionalStores } from '../../core/stores.js';
import { AwsError } from '../../http/aws-error.js';
import type { JsonService } from '../../http/json-protocol.js';
import { Constraints } from '../constraints.js';
import {
  type Delivery,
  DeliveryLog,
  type EventEnvelope,
  payloadFor,
  type TargetInvoker,
} from './delivery.js';
import { matches, parsePattern } from './pattern.js';
import { DEFAULT_BUS, EventsStore, type Rule, type RuleState } from './store.js';
import { busNameOf, checkRuleName, checkSchedule, checkTarget } from './validation.js';

/** An event a local service publishes (ECR pushes, execution status changes…). */
export interface CloudEvent {
  source: string;
  'detail-type': string;
  detail: Record<string, unknown>;
  resources?: string[];
  time?: Date;
}

const validate = new Constraints('ValidationException');
const validation = (message: string) => new AwsError('ValidationException', message);
const STATES: RuleState[] = ['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS'];
const MAX_TARGETS_PER_RULE = 5;

/**
 * EventBridge, one store per account and region: rules on the default bus,
 * with event patterns (matched and delivered) or schedule expressions
 * (stored and described; they don't fire locally). Local services (ECR
 * pushes) and PutEvents publish through it; every delivery is recorded,
 * and a delivery that fails is recorded with its reason, never thrown.
 */
export class Events {
  readonly stores = new RegionalStores(() => new EventsStore());
  private readonly deliveries = new DeliveryLog();

  constructor(private readonly invoke: TargetInvoker) {}

  /** Recent deliveries, oldest first (bounded). */
  get delivered(): readonly Delivery[] {
    return this.deliveries.recent;
  }

  private bus(scope: Scope, name: string | undefined): Map<string, Rule> {
    const busName = busNameOf(name);
    const bus = this.stores.of(scope).buses.get(busName);
    if (!bus) throw new AwsError('ResourceNotFoundException', `Event bus ${busName} does not exist.`);
    return bus;
  }

  private rule(scope: Scope, name: string, busName: string | undefined): Rule {
    const rule = this.bus(scope, busName).get(name);
    if (!rule)
      throw new AwsError(
        'ResourceNotFoundException',
        `Rule ${name} does not exist on EventBus ${busNameOf(busName)}.`,
      );
    return rule;
  }

  /** Creates or updates a rule (its targets stay), as PutRule does. */
  putRule(scope: Scope, input: PutRuleRequest): Rule {
    const name = input.Name ?? '';
    checkRuleName('name', name);
    const busName = busNameOf(input.EventBusName);
    const bus = this.bus(scope, busName);
    const state = input.State ?? 'ENABLED';
    validate.oneOf('state', state, STATES);
    if (input.Description !== undefined) validate.length('description', input.Description, 0, 512);
    if (input.EventPattern === undefined && input.ScheduleExpression === undefined)
      throw validation('Parameter(s) EventPattern or ScheduleExpression must be specified.');
    if (input.ScheduleExpression !== undefined) {
      checkSchedule(input.ScheduleExpression);
      if (busName !== DEFAULT_BUS)
        throw validation('ScheduleExpression is supported only on the default event bus.');
    }
    const rule: Rule = {
      name,
      arn: arns.eventsRule(scope, name, busName),
      eventBusName: busName,
      ...(input.EventPattern !== undefined
        ? { eventPattern: { text: input.EventPattern, parsed: parsePattern(input.EventPattern) } }
        : {}),
      ...(input.ScheduleExpression !== undefined ? { scheduleExpression: input.ScheduleExpression } : {}),
      state,
      ...(input.Description !== undefined ? { description: input.Description } : {}),
      ...(input.RoleArn !== undefined ? { roleArn: input.RoleArn } : {}),
      targets: bus.get(name)?.targets ?? [],
      createdBy: scope.accountId,
    };
    bus.set(name, rule);
    return rule;
  }

  /** Adds or replaces (by Id) a rule's targets. */
  putTargets(scope: Scope, ruleName: string, targets: Target[], busName?: string): void {
    checkRuleName('rule', ruleName);
    validate.length('targets', targets, 1, 100);
    const rule = this.rule(scope, ruleName, busName);
    const checked = targets.map((t, i) => checkTarget(t, i));
    const next = [...rule.targets.filter((t) => !checked.some((c) => c.Id === t.Id)), ...checked];
    if (next.length > MAX_TARGETS_PER_RULE)
      throw new AwsError(
        'LimitExceededException',
        `The requested resource exceeds the maximum number allowed (${MAX_TARGETS_PER_RULE} targets per rule).`,
      );
    rule.targets = next;
  }

  /**
   * Publishes an event as AWS shapes it; enabled rules whose pattern matches
   * deliver it to their targets in the background. Returns the event id.
   */
  publish(scope: Scope, event: CloudEvent, busName?: string): string {
    const envelope: EventEnvelope = {
      version: '0',
      id: randomUUID(),
      'detail-type': event['detail-type'],
      source: event.source,
      account: scope.accountId,
      time: (event.time ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: scope.region,
      resources: event.resources ?? [],
      detail: event.detail,
    };
    for (const rule of this.bus(scope, busName).values()) {
      if (rule.state === 'DISABLED' || !rule.eventPattern || !matches(rule.eventPattern.parsed, envelope))
        continue;
      for (const target of rule.targets) this.deliver(scope, rule, target, envelope);
    }
    return envelope.id;
  }

  private deliver(scope: Scope, rule: Rule, target: Rule['targets'][number], event: EventEnvelope): void {
    const delivery = this.deliveries.add({ rule: rule.name, target: target.Arn, event, status: 'pending' });
    const failed = (err: unknown) => {
      delivery.status = 'failed';
      delivery.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    };
    let payload: unknown;
    try {
      payload = payloadFor(target, event);
    } catch (err) {
      failed(err);
      return;
    }
    // A delivery runs in the background: whatever it throws is recorded here, never left unhandled.
    Promise.resolve()
      .then(() => this.invoke(scope, target, payload))
      .then(() => {
        delivery.status = 'delivered';
      }, failed);
  }

  readonly api: JsonService = {
    name: 'EventBridge',
    targetPrefix: 'AWSEvents',
    jsonVersion: '1.1',
    codes: { missing: 'ValidationException', wrongType: 'SerializationException' },
    operations: new OperationTable([
      define(PutRuleCommand, (input, ctx) => ({ RuleArn: this.putRule(ctx, input).arn })),
      define(DescribeRuleCommand, (input, ctx) => {
        checkRuleName('name', input.Name ?? '');
        const rule = this.rule(ctx, input.Name ?? '', input.EventBusName);
        return { ...ruleShape(rule), CreatedBy: rule.createdBy };
      }),
      define(DeleteRuleCommand, (input, ctx) => {
        checkRuleName('name', input.Name ?? '');
        const bus = this.bus(ctx, input.EventBusName);
        const rule = bus.get(input.Name ?? '');
        // Deleting a rule that isn't there succeeds, as AWS documents.
        if (!rule) return {};
        if (rule.targets.length > 0) throw validation("Rule can't be deleted since it has targets.");
        bus.delete(rule.name);
        return {};
      }),
      define(EnableRuleCommand, (input, ctx) => {
        checkRuleName('name', input.Name ?? '');
        this.rule(ctx, input.Name ?? '', input.EventBusName).state = 'ENABLED';
        return {};
      }),
      define(DisableRuleCommand, (input, ctx) => {
        checkRuleName('name', input.Name ?? '');
        this.rule(ctx, input.Name ?? '', input.EventBusName).state = 'DISABLED';
        return {};
      }),
      define(ListRulesCommand, (input, ctx) => {
        const prefix = input.NamePrefix;
        if (prefix !== undefined) checkRuleName('namePrefix', prefix);
        const rules = [...this.bus(ctx, input.EventBusName).values()]
          .filter((r) => prefix === undefined || r.name.startsWith(prefix))
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        const page = this.page(
          rules,
          input.NextToken,
          input.Limit,
          `ListRules:${busNameOf(input.EventBusName)}:${prefix}`,
        );
        return {
          Rules: page.items.map(ruleShape),
          ...(page.nextToken ? { NextToken: page.nextToken } : {}),
        };
      }),
      define(PutTargetsCommand, (input, ctx) => {
        this.putTargets(ctx, input.Rule ?? '', input.Targets ?? [], input.EventBusName);
        return { FailedEntryCount: 0, FailedEntries: [] };
      }),
      define(RemoveTargetsCommand, (input, ctx) => {
        checkRuleName('rule', input.Rule ?? '');
        const ids = input.Ids ?? [];
        validate.length('ids', ids, 1, 100);
        const rule = this.rule(ctx, input.Rule ?? '', input.EventBusName);
        rule.targets = rule.targets.filter((t) => !ids.includes(t.Id));
        return { FailedEntryCount: 0, FailedEntries: [] };
      }),
      define(ListTargetsByRuleCommand, (input, ctx) => {
        checkRuleName('rule', input.Rule ?? '');
        const rule = this.rule(ctx, input.Rule ?? '', input.EventBusName);
        const page = this.page(
          rule.targets,
          input.NextToken,
          input.Limit,
          `ListTargetsByRule:${rule.eventBusName}:${rule.name}`,
        );
        return {
          Targets: page.items,
          ...(page.nextToken ? { NextToken: page.nextToken } : {}),
        };
      }),
      define(PutEventsCommand, (input, ctx) => {
        const entries = input.Entries ?? [];
        validate.length('entries', entries, 1, 10);
        if (!entries.some((e) => e.Source && e.DetailType && e.Detail))
          throw validation('Parameters Source, DetailType and Detail are required for at least one entry.');
        const results = entries.map((e): PutEventsResultEntry => {
          if (!e.Source || !e.DetailType || !e.Detail) {
            const missing = !e.Source ? 'Source' : !e.DetailType ? 'DetailType' : 'Detail';
            return entryError(
              'InvalidArgument',
              `Parameter ${missing} is not valid. Reason: ${missing} is a required argument.`,
            );
          }
          if (e.Source.startsWith('aws.'))
            return entryError('NotAuthorizedForSourceException', 'Not authorized for the source.');
          let detail: unknown;
          try {
            detail = JSON.parse(e.Detail);
          } catch {
            detail = undefined;
          }
          if (typeof detail !== 'object' || detail === null || Array.isArray(detail))
            return entryError('MalformedDetail', 'Detail is malformed.');
          try {
            return {
              EventId: this.publish(
                ctx,
                {
                  source: e.Source,
                  'detail-type': e.DetailType,
                  detail: detail as Record<string, unknown>,
                  resources: e.Resources ?? [],
                  ...(e.Time ? { time: e.Time } : {}),
                },
                e.EventBusName,
              ),
            };
          } catch (err) {
            if (err instanceof AwsError) return entryError('InvalidArgument', err.message);
            throw err;
          }
        });
        return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
      }),
    ]),
  };

  private page<T>(items: T[], token: string | undefined, limit: number | undefined, context: string) {
    return paginate(items, {
      token,
      size: limit,
      defaultSize: 100,
      maxSize: 100,
      sizeMember: 'Limit',
      context,
      invalidToken: () => validation('The NextToken provided is invalid.'),
      invalidSize: (m) => validation(m),
    });
  }
}

function ruleShape(rule: Rule): RuleShape {
  return {
    Name: rule.name,
    Arn: rule.arn,
    ...(rule.eventPattern ? { EventPattern: rule.eventPattern.text } : {}),
    State: rule.state,
    ...(rule.description !== undefined ? { Description: rule.description } : {}),
    ...(rule.scheduleExpression !== undefined ? { ScheduleExpression: rule.scheduleExpression } : {}),
    ...(rule.roleArn !== undefined ? { RoleArn: rule.roleArn } : {}),
    EventBusName: rule.eventBusName,
  };
}

const entryError = (ErrorCode: string, ErrorMessage: string): PutEventsResultEntry => ({
  ErrorCode,
  ErrorMessage,
});
