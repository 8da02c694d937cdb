import { randomBytes } from 'node:crypto';
import {
  type Certificate,
  CreateListenerCommand,
  type CreateListenerInput,
  CreateLoadBalancerCommand,
  type CreateLoadBalancerInput,
  CreateRuleCommand,
  type CreateRuleInput,
  CreateTargetGroupCommand,
  type CreateTargetGroupInput,
  DeleteListenerCommand,
  DeleteLoadBalancerCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type Listener as ListenerShape,
  type LoadBalancer as LoadBalancerShape,
  ModifyTargetGroupAttributesCommand,
  RegisterTargetsCommand,
  type Rule as RuleShape,
  type TargetGroup as TargetGroupShape,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { arns, parseArn, scopeOfArn } from '../../core/arns.js';
import { define, OperationTable } from '../../core/operation.js';
import { paginate } from '../../core/pagination.js';
import type { Scope } from '../../core/scope.js';
import { RegionalStores } from '../../core/stores.js';
import { AwsError } from '../../http/aws-error.js';
import type { QueryService } from '../../http/query-protocol.js';
import type { ActivityLog } from '../../runtime/activity.js';
import type { LocalCa } from '../../tls/local-ca.js';
import {
  checkActions,
  checkRange,
  checkTargetGroup,
  checkTargets,
  forwardTargets,
  MAX_TARGETS_PER_GROUP,
  NAME,
  TARGET_GROUP_ATTRIBUTES,
  validation,
} from './checks.js';
import { type InstanceAddresses, instanceHosts } from './instance-targets.js';
import { ListenerServer } from './listener-server.js';
import { routeFor } from './routing.js';
import {
  Elbv2Store,
  type Listener,
  type ListenerRule,
  type LoadBalancer,
  type TargetGroupEntry,
} from './store.js';
import { TargetGroup } from './target-group.js';

const fail = (code: string, message: string): never => {
  throw new AwsError(code, message);
};
export interface Elbv2Options {
  /** Where load balancers' front doors listen. */
  host: string;
  /** The first load balancer's port (the one `npm start` prints); later ones get free ports. */
  firstPort: number;
  /** The local cloud's clock of work (initial health checking), for the benchmark. */
  activity?: ActivityLog;
  /** How HTTPS listeners get their certificates: the local CA, for the names ACM's certificates are for. */
  certificates?: CertificateSource;
}

export interface CertificateSource {
  ca: Pick<LocalCa, 'issue' | 'certPem'>;
  /** The names an ACM certificate is for; undefined for one the local cloud never issued. */
  namesOf(arn: string, scope: Scope): string[] | undefined;
}

/**
 * Elastic Load Balancing v2 (awsQuery): application load balancers, each
 * served on its own loopback port, with listeners, listener rules (path,
 * host, method, header and query conditions; forward, fixed-response and
 * redirect actions) and IP target groups that health-check and drain for real.
 */
export class Elbv2 {
  readonly stores = new RegionalStores(() => new Elbv2Store());
  private firstPortTaken = false;

  /** Instance targets' addresses (ECS's container instances tell them; set once ECS is made). */
  instanceAddresses: InstanceAddresses | undefined;

  constructor(private readonly options: Elbv2Options) {}

  // --- what the rest of the local cloud uses ---------------------------------------------------------

  /** A target group by ARN, in whichever scope its ARN names. */
  findTargetGroup(arn: string, fallback: Scope): TargetGroup | undefined {
    const parsed = parseArn(arn);
    if (!parsed) return undefined;
    return this.stores.of(scopeOfArn(parsed, fallback)).targetGroups.get(arn)?.group;
  }

  async stop(): Promise<void> {
    const closing: Promise<void>[] = [];
    for (const [, store] of this.stores.entries()) {
      for (const entry of store.targetGroups.values()) entry.group.stop();
      for (const lb of store.loadBalancers.values()) closing.push(lb.server.close());
    }
    await Promise.all(closing);
  }

  // --- load balancers ------------------------------------------------------------------------------

  async createLoadBalancer(scope: Scope, input: CreateLoadBalancerInput): Promise<LoadBalancer> {
    const store = this.stores.of(scope);
    const name = input.Name ?? '';
    if (!NAME.test(name) || name.startsWith('internal-'))
      throw validation(
        `The load balancer name '${name}' must be 1–32 letters, digits and hyphens, not starting or ending with a hyphen nor starting with "internal-"`,
      );
    // UnsupportedProtocol is not among CreateLoadBalancer's errors; InvalidConfigurationRequest is.
    if ((input.Type ?? 'application') !== 'application')
      throw new AwsError(
        'InvalidConfigurationRequest',
        `The local cloud serves application load balancers only, not ${input.Type}`,
      );
    const existing = [...store.loadBalancers.values()].find((lb) => lb.name === name);
    if (existing) return existing; // CreateLoadBalancer is idempotent for the same name.
    const id = randomBytes(8).toString('hex');
    const server = new ListenerServer((request, protocol) => routeFor(store, arn, request, protocol));
    const arn = arns.elbLoadBalancer(scope, name, id);
    const port = this.firstPortTaken ? 0 : this.options.firstPort;
    this.firstPortTaken = true;
    const localPort = await server.listen(port, this.options.host);
    const lb: LoadBalancer = {
      arn,
      name,
      id,
      // The front door's local address stands in for the ALB's DNS name.
      dnsName: `${this.options.host}:${localPort}`,
      scheme: input.Scheme === 'internal' ? 'internal' : 'internet-facing',
      ipAddressType: input.IpAddressType ?? 'ipv4',
      securityGroups: input.SecurityGroups ?? [],
      subnets: input.Subnets ?? [],
      createdAt: new Date(),
      server,
      localPort,
    };
    store.loadBalancers.set(arn, lb);
    return lb;
  }

  private loadBalancer(store: Elbv2Store, arn: string): LoadBalancer {
    return store.loadBalancers.get(arn) ?? fail('LoadBalancerNotFound', `Load balancer '${arn}' not found`);
  }

  private loadBalancerShape(lb: LoadBalancer): LoadBalancerShape {
    return {
      LoadBalancerArn: lb.arn,
      DNSName: lb.dnsName,
      CanonicalHostedZoneId: 'Z35SXDOTRQ7X7K',
      CreatedTime: lb.createdAt,
      LoadBalancerName: lb.name,
      Scheme: lb.scheme,
      VpcId: 'vpc-local',
      State: { Code: 'active' },
      Type: 'application',
      AvailabilityZones: lb.subnets.map((SubnetId, i) => ({
        SubnetId,
        ZoneName: `${lb.arn.split(':')[3]}${'abcdef'[i % 6]}`,
      })),
      SecurityGroups: lb.securityGroups,
      IpAddressType: lb.ipAddressType as LoadBalancerShape['IpAddressType'],
    };
  }

  // --- target groups -------------------------------------------------------------------------------

  /**
   * Creates a target group. The API and provisioning check the input as AWS
   * does first (`checkTargetGroup`); tests may create groups with shorter
   * timings than AWS allows, to show behaviour in seconds.
   */
  createTargetGroup(
    scope: Scope,
    input: CreateTargetGroupInput & { DeregistrationDelaySeconds?: number },
  ): TargetGroupEntry {
    const store = this.stores.of(scope);
    const name = input.Name ?? '';
    const port = input.Port ?? 80;
    const duplicate = [...store.targetGroups.values()].find((e) => e.group.name === name);
    if (duplicate) {
      if (duplicate.group.port === port) return duplicate;
      fail(
        'DuplicateTargetGroupName',
        `A target group with the same name '${name}' exists, but with different settings`,
      );
    }
    const arn = arns.elbTargetGroup(scope, name, randomBytes(8).toString('hex'));
    const group = new TargetGroup(
      arn,
      name,
      port,
      {
        path: input.HealthCheckPath ?? '/',
        intervalSeconds: input.HealthCheckIntervalSeconds ?? 30,
        timeoutSeconds: input.HealthCheckTimeoutSeconds ?? 5,
        healthyThreshold: input.HealthyThresholdCount ?? 5,
        unhealthyThreshold: input.UnhealthyThresholdCount ?? 2,
        matcher: input.Matcher?.HttpCode ?? '200',
      },
      input.DeregistrationDelaySeconds ?? 300,
      this.options.activity,
    );
    const entry: TargetGroupEntry = {
      group,
      protocol: input.Protocol ?? 'HTTP',
      protocolVersion: input.ProtocolVersion ?? 'HTTP1',
      targetType: input.TargetType ?? 'instance',
      vpcId: input.VpcId ?? 'vpc-local',
      healthCheckProtocol: input.HealthCheckProtocol ?? 'HTTP',
      healthCheckPort: input.HealthCheckPort ?? 'traffic-port',
      createdAt: new Date(),
    };
    store.targetGroups.set(arn, entry);
    return entry;
  }

  private targetGroup(store: Elbv2Store, arn: string): TargetGroupEntry {
    return store.targetGroups.get(arn) ?? fail('TargetGroupNotFound', `Target groups '${arn}' not found`);
  }

  private targetGroupShape(store: Elbv2Store, e: TargetGroupEntry): TargetGroupShape {
    const g = e.group;
    return {
      TargetGroupArn: g.arn,
      TargetGroupName: g.name,
      Protocol: e.protocol as TargetGroupShape['Protocol'],
      Port: g.port,
      VpcId: e.vpcId,
      HealthCheckProtocol: e.healthCheckProtocol as TargetGroupShape['HealthCheckProtocol'],
      HealthCheckPort: e.healthCheckPort,
      HealthCheckEnabled: true,
      HealthCheckIntervalSeconds: g.healthCheck.intervalSeconds,
      HealthCheckTimeoutSeconds: g.healthCheck.timeoutSeconds,
      HealthyThresholdCount: g.healthCheck.healthyThreshold,
      UnhealthyThresholdCount: g.healthCheck.unhealthyThreshold,
      HealthCheckPath: g.healthCheck.path,
      Matcher: { HttpCode: g.healthCheck.matcher },
      LoadBalancerArns: this.loadBalancersUsing(store, g.arn),
      TargetType: e.targetType as TargetGroupShape['TargetType'],
      ProtocolVersion: e.protocolVersion,
      IpAddressType: 'ipv4',
    };
  }

  /** The load balancers whose listeners or rules forward to a target group. */
  private loadBalancersUsing(store: Elbv2Store, groupArn: string): string[] {
    const using = new Set<string>();
    for (const listener of store.listeners.values()) {
      const rules = [...store.rules.values()].filter((r) => r.listenerArn === listener.arn);
      const actions = [...listener.defaultActions, ...rules.flatMap((r) => r.actions)];
      if (actions.some((a) => forwardTargets(a).includes(groupArn))) using.add(listener.loadBalancerArn);
    }
    return [...using];
  }

  // --- listeners and rules -------------------------------------------------------------------------

  createListener(scope: Scope, input: CreateListenerInput): Listener {
    const store = this.stores.of(scope);
    // The model's constraints come before any lookup, as AWS checks them.
    if (input.Port !== undefined) checkRange('Port', input.Port, 1, 65535);
    const lb = this.loadBalancer(store, input.LoadBalancerArn ?? '');
    const protocol = input.Protocol ?? 'HTTP';
    if (!['HTTP', 'HTTPS'].includes(protocol))
      throw new AwsError(
        'UnsupportedProtocol',
        `Application load balancers listen on HTTP or HTTPS, not ${protocol}`,
      );
    const port = input.Port ?? (protocol === 'HTTPS' ? 443 : 80);
    checkRange('Port', port, 1, 65535);
    if (protocol === 'HTTPS') this.checkCertificates(scope, input.Certificates);
    checkActions(input.DefaultActions ?? [], (groupArn) => this.targetGroup(store, groupArn));
    const clash = [...store.listeners.values()].find((l) => l.loadBalancerArn === lb.arn && l.port === port);
    if (clash) fail('DuplicateListener', `A listener already exists on port ${port} of '${lb.arn}'`);
    const id = randomBytes(8).toString('hex');
    const listener: Listener = {
      arn: arns.elbListener(scope, lb.name, lb.id, id),
      id,
      loadBalancerArn: lb.arn,
      port,
      protocol,
      defaultActions: input.DefaultActions ?? [],
      certificates: input.Certificates ?? [],
      ...(input.SslPolicy ? { sslPolicy: input.SslPolicy } : {}),
    };
    store.listeners.set(listener.arn, listener);
    if (protocol === 'HTTPS') this.serveTls(scope, lb, listener);
    return listener;
  }

  /**
   * An HTTPS listener's certificates must exist, as AWS looks each one up
   * (in ACM; IAM server certificates are not modeled locally) before it
   * creates the listener.
   */
  private checkCertificates(scope: Scope, certificates: Certificate[] | undefined): void {
    if (!certificates?.length) throw validation('A certificate must be specified for HTTPS listeners');
    const source = this.options.certificates;
    if (!source) return;
    for (const { CertificateArn: arn = '' } of certificates)
      if (source.namesOf(arn, scope) === undefined)
        fail('CertificateNotFound', `Certificate '${arn}' not found`);
  }

  /**
   * The HTTPS listener's certificates, issued by the local CA for the names
   * ACM's certificates are for and for the load balancer's own address (the
   * name a client without DNS connects to); the chain goes with the leaf, as
   * an ALB sends it.
   */
  private serveTls(scope: Scope, lb: LoadBalancer, listener: Listener): void {
    const source = this.options.certificates;
    if (!source) return;
    const names = listener.certificates.flatMap((c) => source.namesOf(c.CertificateArn ?? '', scope) ?? []);
    const leaf = source.ca.issue([...new Set([...names, this.options.host])]);
    lb.server.useCertificate({ cert: `${leaf.cert.trimEnd()}\n${source.ca.certPem}`, key: leaf.key });
  }

  private listener(store: Elbv2Store, arn: string): Listener {
    return store.listeners.get(arn) ?? fail('ListenerNotFound', `Listener '${arn}' not found`);
  }

  private listenerShape(l: Listener): ListenerShape {
    return {
      ListenerArn: l.arn,
      LoadBalancerArn: l.loadBalancerArn,
      Port: l.port,
      Protocol: l.protocol as ListenerShape['Protocol'],
      DefaultActions: l.defaultActions,
      ...(l.certificates.length ? { Certificates: l.certificates } : {}),
      ...(l.sslPolicy ? { SslPolicy: l.sslPolicy } : {}),
    };
  }

  createRule(scope: Scope, input: CreateRuleInput): ListenerRule {
    const store = this.stores.of(scope);
    const listener = this.listener(store, input.ListenerArn ?? '');
    const priority = input.Priority ?? 0;
    checkRange('Priority', priority, 1, 50000);
    const taken = [...store.rules.values()].some(
      (r) => r.listenerArn === listener.arn && r.priority === priority,
    );
    if (taken) fail('PriorityInUse', `Priority '${priority}' is currently in use`);
    const conditions = input.Conditions ?? [];
    if (conditions.length === 0) throw validation('A rule needs at least one condition');
    for (const c of conditions) {
      const values = c.PathPatternConfig?.Values ?? c.HostHeaderConfig?.Values ?? c.Values ?? [];
      if (['path-pattern', 'host-header'].includes(c.Field ?? '') && values.length === 0)
        throw validation(`A ${c.Field} condition needs at least one value`);
      if (values.some((v) => v.length > 128)) throw validation('A condition value is at most 128 characters');
    }
    checkActions(input.Actions ?? [], (groupArn) => this.targetGroup(store, groupArn));
    const lb = this.loadBalancer(store, listener.loadBalancerArn);
    const rule: ListenerRule = {
      arn: arns.elbListenerRule(scope, lb.name, lb.id, listener.id, randomBytes(8).toString('hex')),
      listenerArn: listener.arn,
      priority,
      conditions,
      actions: input.Actions ?? [],
    };
    store.rules.set(rule.arn, rule);
    return rule;
  }

  private ruleShapes(store: Elbv2Store, listener: Listener): RuleShape[] {
    const rules = [...store.rules.values()]
      .filter((r) => r.listenerArn === listener.arn)
      .sort((a, b) => a.priority - b.priority)
      .map((r) => ({
        RuleArn: r.arn,
        Priority: String(r.priority),
        Conditions: r.conditions,
        Actions: r.actions,
        IsDefault: false,
      }));
    return [
      ...rules,
      {
        RuleArn: `${listener.arn.replace(':listener/', ':listener-rule/')}/default`,
        Priority: 'default',
        Conditions: [],
        Actions: listener.defaultActions,
        IsDefault: true,
      },
    ];
  }

  // --- the API -------------------------------------------------------------------------------------

  private page<T>(items: T[], marker: string | undefined, size: number | undefined, context: string) {
    const page = paginate(items, {
      token: marker,
      size,
      defaultSize: 400,
      maxSize: 400,
      sizeMember: 'PageSize',
      context,
      invalidToken: (m) => validation(m),
      invalidSize: (m) => validation(m),
    });
    return { items: page.items, ...(page.nextToken ? { NextMarker: page.nextToken } : {}) };
  }

  readonly api: QueryService = {
    name: 'ELBv2',
    namespace: 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/',
    version: '2015-12-01',
    operations: new OperationTable([
      define(CreateLoadBalancerCommand, async (input, ctx) => ({
        LoadBalancers: [this.loadBalancerShape(await this.createLoadBalancer(ctx, input))],
      })),
      define(DescribeLoadBalancersCommand, (input, ctx) => {
        const store = this.stores.of(ctx);
        let lbs = [...store.loadBalancers.values()];
        if (input.LoadBalancerArns?.length)
          lbs = input.LoadBalancerArns.map((arn) => this.loadBalancer(store, arn));
        if (input.Names?.length)
          lbs = input.Names.map(
            (n) =>
              lbs.find((lb) => lb.name === n) ??
              fail('LoadBalancerNotFound', `Load balancers '[${n}]' not found`),
          );
        const { items, ...rest } = this.page(
          lbs,
          input.Marker,
          input.PageSize,
          `lbs:${JSON.stringify(input.LoadBalancerArns ?? input.Names ?? [])}`,
        );
        return { LoadBalancers: items.map((lb) => this.loadBalancerShape(lb)), ...rest };
      }),
      define(DeleteLoadBalancerCommand, async (input, ctx) => {
        const store = this.stores.of(ctx);
        const arn = input.LoadBalancerArn ?? '';
        const parsed = parseArn(arn);
        if (
          parsed?.service !== 'elasticloadbalancing' ||
          !/^loadbalancer\/(app|net|gwy)\//.test(parsed.resource)
        )
          throw validation(`'${arn}' is not a valid load balancer ARN`);
        const lb = store.loadBalancers.get(arn);
        if (!lb) return {}; // Deleting a load balancer that is gone succeeds, as on AWS.
        for (const listener of [...store.listeners.values()].filter((l) => l.loadBalancerArn === lb.arn))
          this.deleteListener(store, listener.arn);
        store.loadBalancers.delete(lb.arn);
        await lb.server.close();
        return {};
      }),
      define(CreateTargetGroupCommand, (input, ctx) => {
        const entry = this.createTargetGroup(ctx, checkTargetGroup(input));
        return { TargetGroups: [this.targetGroupShape(this.stores.of(ctx), entry)] };
      }),
      define(DescribeTargetGroupsCommand, (input, ctx) => {
        const store = this.stores.of(ctx);
        let groups = [...store.targetGroups.values()];
        if (input.TargetGroupArns?.length)
          groups = input.TargetGroupArns.map((a) => this.targetGroup(store, a));
        for (const name of input.Names ?? [])
          if (name.length > 32) throw validation('A target group name is at most 32 characters');
        if (input.Names?.length)
          groups = input.Names.map(
            (n) =>
              groups.find((g) => g.group.name === n) ??
              fail('TargetGroupNotFound', `One or more target groups not found`),
          );
        if (input.LoadBalancerArn) {
          this.loadBalancer(store, input.LoadBalancerArn);
          groups = groups.filter((g) =>
            this.loadBalancersUsing(store, g.group.arn).includes(input.LoadBalancerArn ?? ''),
          );
        }
        const { items, ...rest } = this.page(
          groups,
          input.Marker,
          input.PageSize,
          `tgs:${JSON.stringify([input.TargetGroupArns, input.Names, input.LoadBalancerArn])}`,
        );
        return { TargetGroups: items.map((g) => this.targetGroupShape(store, g)), ...rest };
      }),
      define(DeleteTargetGroupCommand, (input, ctx) => {
        const store = this.stores.of(ctx);
        const entry = store.targetGroups.get(input.TargetGroupArn ?? '');
        if (!entry) return {};
        if (this.loadBalancersUsing(store, entry.group.arn).length > 0)
          fail(
            'ResourceInUse',
            `Target group '${entry.group.arn}' is currently in use by a listener or a rule`,
          );
        entry.group.stop();
        store.targetGroups.delete(entry.group.arn);
        return {};
      }),
      define(DescribeTargetGroupAttributesCommand, (input, ctx) => {
        const entry = this.targetGroup(this.stores.of(ctx), input.TargetGroupArn ?? '');
        return {
          Attributes: [
            {
              Key: 'deregistration_delay.timeout_seconds',
              Value: String(entry.group.deregistrationDelaySeconds),
            },
            { Key: 'stickiness.enabled', Value: 'false' },
            { Key: 'load_balancing.algorithm.type', Value: 'round_robin' },
          ],
        };
      }),
      define(ModifyTargetGroupAttributesCommand, (input, ctx) => {
        const entry = this.targetGroup(this.stores.of(ctx), input.TargetGroupArn ?? '');
        const attributes = input.Attributes ?? [];
        // Every attribute is checked before any applies, so a refused request changes nothing.
        for (const { Key } of attributes)
          if (!TARGET_GROUP_ATTRIBUTES.has(Key ?? ''))
            throw validation(`Attribute key '${String(Key).slice(0, 64)}' is not recognized`);
        const delay = attributes.find((a) => a.Key === 'deregistration_delay.timeout_seconds');
        if (delay) {
          const seconds = Number(delay.Value);
          if (!/^\d+$/.test(delay.Value ?? '') || seconds > 3600)
            throw validation('deregistration_delay.timeout_seconds must be an integer from 0 to 3600');
          entry.group.deregistrationDelaySeconds = seconds;
        }
        return { Attributes: attributes };
      }),
      define(RegisterTargetsCommand, (input, ctx) => {
        const entry = this.targetGroup(this.stores.of(ctx), input.TargetGroupArn ?? '');
        const targets = checkTargets(input.Targets, entry.targetType);
        const hosts =
          entry.targetType === 'instance' ? instanceHosts(targets, this.instanceAddresses, ctx) : undefined;
        const known = new Set(entry.group.targets.keys());
        const added = new Set(
          targets.map((t) => `${t.Id}:${t.Port ?? entry.group.port}`).filter((k) => !known.has(k)),
        );
        if (known.size + added.size > MAX_TARGETS_PER_GROUP)
          fail('TooManyTargets', `A target group holds at most ${MAX_TARGETS_PER_GROUP} targets.`);
        targets.forEach((t, i) => {
          entry.group.register(t.Id ?? '', t.Port ?? entry.group.port, hosts?.[i] ?? t.Id ?? '');
        });
        return {};
      }),
      define(DeregisterTargetsCommand, (input, ctx) => {
        const entry = this.targetGroup(this.stores.of(ctx), input.TargetGroupArn ?? '');
        for (const t of checkTargets(input.Targets, entry.targetType))
          void entry.group.deregister(t.Id ?? '', t.Port ?? entry.group.port);
        return {};
      }),
      define(DescribeTargetHealthCommand, (input, ctx) => {
        const entry = this.targetGroup(this.stores.of(ctx), input.TargetGroupArn ?? '');
        const group = entry.group;
        const asked = input.Targets ? checkTargets(input.Targets, entry.targetType) : [];
        const targets = [...group.targets.values()].filter(
          (t) =>
            asked.length === 0 ||
            asked.some((a) => a.Id === t.id && (a.Port === undefined || a.Port === t.port)),
        );
        const unknown = asked.filter((a) => !targets.some((t) => t.id === a.Id));
        return {
          TargetHealthDescriptions: [
            ...targets.map((t) => ({
              Target: { Id: t.id, Port: t.port },
              HealthCheckPort: String(t.port),
              TargetHealth: {
                State: t.state,
                ...(t.reason ? { Reason: t.reason as never } : {}),
                ...(t.description ? { Description: t.description } : {}),
              },
            })),
            ...unknown.map((a) => ({
              Target: { Id: a.Id, Port: a.Port ?? group.port },
              TargetHealth: {
                State: 'unused' as const,
                Reason: 'Target.NotRegistered' as const,
                Description: 'Target is not registered to the target group',
              },
            })),
          ],
        };
      }),
      define(CreateListenerCommand, (input, ctx) => ({
        Listeners: [this.listenerShape(this.createListener(ctx, input))],
      })),
      define(DescribeListenersCommand, (input, ctx) => {
        const store = this.stores.of(ctx);
        if (!input.LoadBalancerArn && !input.ListenerArns?.length)
          throw validation('You must specify either listener ARNs or a load balancer ARN');
        if (input.LoadBalancerArn) this.loadBalancer(store, input.LoadBalancerArn);
        const listeners = input.ListenerArns?.length
          ? input.ListenerArns.map((a) => this.listener(store, a))
          : [...store.listeners.values()].filter((l) => l.loadBalancerArn === input.LoadBalancerArn);
        const { items, ...rest } = this.page(
          listeners,
          input.Marker,
          input.PageSize,
          `listeners:${JSON.stringify([input.LoadBalancerArn, input.ListenerArns])}`,
        );
        return { Listeners: items.map((l) => this.listenerShape(l)), ...rest };
      }),
      define(DeleteListenerCommand, (input, ctx) => {
        this.deleteListener(
          this.stores.of(ctx),
          this.listener(this.stores.of(ctx), input.ListenerArn ?? '').arn,
        );
        return {};
      }),
      define(CreateRuleCommand, (input, ctx) => {
        const store = this.stores.of(ctx);
        const rule = this.createRule(ctx, input);
        const listener = this.listener(store, rule.listenerArn);
        return { Rules: this.ruleShapes(store, listener).filter((r) => r.RuleArn === rule.arn) };
      }),
      define(DescribeRulesCommand, (input, ctx) => {
        const store = this.stores.of(ctx);
        let rules: RuleShape[];
        if (input.ListenerArn) rules = this.ruleShapes(store, this.listener(store, input.ListenerArn));
        else if (input.RuleArns?.length) {
          const all = [...store.listeners.values()].flatMap((l) => this.ruleShapes(store, l));
          rules = input.RuleArns.map(
            (arn) =>
              all.find((r) => r.RuleArn === arn) ?? fail('RuleNotFound', `One or more rules not found`),
          );
        } else throw validation('You must specify either listener rule ARNs or a listener ARN');
        const { items, ...rest } = this.page(
          rules,
          input.Marker,
          input.PageSize,
          `rules:${JSON.stringify([input.ListenerArn, input.RuleArns])}`,
        );
        return { Rules: items, ...rest };
      }),
      define(DeleteRuleCommand, (input, ctx) => {
        const store = this.stores.of(ctx);
        const arn = input.RuleArn ?? '';
        if (arn.endsWith('/default'))
          throw new AwsError('OperationNotPermitted', 'Default rules cannot be deleted');
        if (!store.rules.delete(arn)) fail('RuleNotFound', `One or more rules not found`);
        return {};
      }),
    ]),
  };

  private deleteListener(store: Elbv2Store, arn: string): void {
    for (const rule of [...store.rules.values()]) if (rule.listenerArn === arn) store.rules.delete(rule.arn);
    store.listeners.delete(arn);
  }
}
