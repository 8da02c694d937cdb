import { AwsError } from '../http/aws-error.js';
import type { QueryParams, QueryService } from '../http/query-protocol.js';
import { ListenerServer } from '../lb/load-balancer.js';
import { type HealthCheck, TargetGroup } from '../lb/target-group.js';
import type { ActivityLog } from '../runtime/activity.js';

interface LoadBalancer {
  arn: string;
  name: string;
  dnsName: string;
  scheme: string;
  createdAt: Date;
}

interface Listener {
  arn: string;
  loadBalancerArn: string;
  port: number;
  protocol: string;
  targetGroupArn?: string;
  server?: ListenerServer;
  localPort?: number;
}

/**
 * Elastic Load Balancing v2 (awsQuery): the template's load balancer,
 * listener and target groups. The port-80 listener is served on the local
 * load-balancer port; target groups health-check and drain for real.
 */
export class Elbv2Service {
  readonly loadBalancers = new Map<string, LoadBalancer>();
  readonly listeners = new Map<string, Listener>();
  readonly targetGroups = new Map<string, TargetGroup>();
  private serial = 0;

  constructor(
    private readonly region: string,
    private readonly accountId: string,
    private readonly host: string,
    private readonly listenerPort: number,
    /** The local cloud's own clock of work (initial health checking), for the benchmark. */
    private readonly activity?: ActivityLog,
  ) {}

  private id(): string {
    return (++this.serial).toString(16).padStart(16, '0');
  }

  createLoadBalancer(name: string, scheme = 'internet-facing'): LoadBalancer {
    const lb: LoadBalancer = {
      arn: `arn:aws:elasticloadbalancing:${this.region}:${this.accountId}:loadbalancer/app/${name}/${this.id()}`,
      name,
      // The listener's local address stands in for the ALB's DNS name.
      dnsName: `${this.host}:${this.listenerPort}`,
      scheme,
      createdAt: new Date(),
    };
    this.loadBalancers.set(lb.arn, lb);
    return lb;
  }

  createTargetGroup(
    name: string,
    port: number,
    healthCheck: HealthCheck,
    deregistrationDelaySeconds: number,
  ): TargetGroup {
    const arn = `arn:aws:elasticloadbalancing:${this.region}:${this.accountId}:targetgroup/${name}/${this.id()}`;
    const group = new TargetGroup(arn, name, port, healthCheck, deregistrationDelaySeconds, this.activity);
    this.targetGroups.set(arn, group);
    return group;
  }

  /** Creates the listener; an HTTP listener on port 80 is served on the local load-balancer port. */
  async createListener(
    loadBalancerArn: string,
    port: number,
    protocol: string,
    targetGroupArn?: string,
  ): Promise<Listener> {
    const listener: Listener = {
      arn: `${loadBalancerArn.replace(':loadbalancer/', ':listener/')}/${this.id()}`,
      loadBalancerArn,
      port,
      protocol,
      targetGroupArn,
    };
    this.listeners.set(listener.arn, listener);
    if (protocol === 'HTTP' && port === 80) {
      listener.server = new ListenerServer(
        () => (listener.targetGroupArn ? this.targetGroups.get(listener.targetGroupArn) : undefined),
        this.listenerPort,
      );
      listener.localPort = await listener.server.listen(this.listenerPort, this.host);
    }
    return listener;
  }

  targetGroup(arn: string): TargetGroup {
    const group = this.targetGroups.get(arn);
    if (!group) throw new AwsError('TargetGroupNotFound', `Target groups '${arn}' not found`);
    return group;
  }

  async stop(): Promise<void> {
    for (const group of this.targetGroups.values()) group.stop();
    await Promise.all([...this.listeners.values()].map((l) => l.server?.close()));
  }

  private targetGroupShape(g: TargetGroup) {
    const lbs = [...this.listeners.values()]
      .filter((l) => l.targetGroupArn === g.arn)
      .map((l) => l.loadBalancerArn);
    return {
      TargetGroupArn: g.arn,
      TargetGroupName: g.name,
      Protocol: 'HTTP',
      Port: g.port,
      VpcId: 'vpc-local',
      HealthCheckProtocol: 'HTTP',
      HealthCheckPort: 'traffic-port',
      HealthCheckEnabled: true,
      HealthCheckIntervalSeconds: g.healthCheck.intervalSeconds,
      HealthCheckTimeoutSeconds: g.healthCheck.timeoutSeconds,
      HealthyThresholdCount: g.healthCheck.healthyThreshold,
      UnhealthyThresholdCount: g.healthCheck.unhealthyThreshold,
      HealthCheckPath: g.healthCheck.path,
      Matcher: { HttpCode: g.healthCheck.matcher },
      LoadBalancerArns: lbs,
      TargetType: 'ip',
      ProtocolVersion: 'HTTP1',
      IpAddressType: 'ipv4',
    };
  }

  private targetsOf(params: QueryParams): { id: string; port?: number }[] {
    const targets = params
      .structs('Targets')
      .map((t) => ({ id: t.Id ?? '', port: t.Port ? Number(t.Port) : undefined }));
    if (targets.length === 0 || targets.some((t) => t.id === ''))
      throw new AwsError('ValidationError', 'Targets must name at least one target Id');
    for (const t of targets) {
      if (!/^\d+\.\d+\.\d+\.\d+$/.test(t.id))
        throw new AwsError('InvalidTarget', `The IP address '${t.id}' is not a valid IPv4 address`);
    }
    return targets;
  }

  readonly api: QueryService = {
    name: 'ELBv2',
    namespace: 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/',
    operations: {
      DescribeLoadBalancers: (p) => {
        const arns = p.list('LoadBalancerArns');
        const names = p.list('Names');
        let lbs = [...this.loadBalancers.values()];
        if (arns.length > 0)
          lbs = arns.map(
            (arn) =>
              this.loadBalancers.get(arn) ??
              notFound('LoadBalancerNotFound', `One or more load balancers not found`),
          );
        if (names.length > 0)
          lbs = names.map(
            (n) =>
              lbs.find((lb) => lb.name === n) ??
              notFound('LoadBalancerNotFound', `Load balancers '[${n}]' not found`),
          );
        return {
          LoadBalancers: lbs.map((lb) => ({
            LoadBalancerArn: lb.arn,
            DNSName: lb.dnsName,
            CanonicalHostedZoneId: 'Z35SXDOTRQ7X7K',
            CreatedTime: lb.createdAt,
            LoadBalancerName: lb.name,
            Scheme: lb.scheme,
            VpcId: 'vpc-local',
            State: { Code: 'active' },
            Type: 'application',
            IpAddressType: 'ipv4',
          })),
        };
      },
      DescribeListeners: (p) => {
        const lbArn = p.get('LoadBalancerArn');
        const arns = p.list('ListenerArns');
        if (!lbArn && arns.length === 0)
          throw new AwsError(
            'ValidationError',
            'You must specify either listener ARNs or a load balancer ARN',
          );
        if (lbArn && !this.loadBalancers.has(lbArn))
          notFound('LoadBalancerNotFound', `Load balancer '${lbArn}' not found`);
        const listeners =
          arns.length > 0
            ? arns.map(
                (a) =>
                  this.listeners.get(a) ?? notFound('ListenerNotFound', `One or more listeners not found`),
              )
            : [...this.listeners.values()].filter((l) => l.loadBalancerArn === lbArn);
        return {
          Listeners: listeners.map((l) => ({
            ListenerArn: l.arn,
            LoadBalancerArn: l.loadBalancerArn,
            Port: l.port,
            Protocol: l.protocol,
            DefaultActions: l.targetGroupArn ? [{ Type: 'forward', TargetGroupArn: l.targetGroupArn }] : [],
          })),
        };
      },
      DescribeTargetGroups: (p) => {
        const arns = p.list('TargetGroupArns');
        const names = p.list('Names');
        const lbArn = p.get('LoadBalancerArn');
        let groups = [...this.targetGroups.values()];
        if (arns.length > 0) groups = arns.map((a) => this.targetGroup(a));
        if (names.length > 0)
          groups = names.map(
            (n) =>
              groups.find((g) => g.name === n) ??
              notFound('TargetGroupNotFound', `One or more target groups not found`),
          );
        if (lbArn)
          groups = groups.filter((g) =>
            [...this.listeners.values()].some(
              (l) => l.loadBalancerArn === lbArn && l.targetGroupArn === g.arn,
            ),
          );
        return { TargetGroups: groups.map((g) => this.targetGroupShape(g)) };
      },
      DescribeTargetHealth: (p) => {
        const group = this.targetGroup(p.require('TargetGroupArn'));
        const asked = p.structs('Targets');
        const targets = [...group.targets.values()].filter(
          (t) => asked.length === 0 || asked.some((a) => a.Id === t.id),
        );
        const unknown = asked.filter((a) => !targets.some((t) => t.id === a.Id));
        return {
          TargetHealthDescriptions: [
            ...targets.map((t) => ({
              Target: { Id: t.id, Port: t.port, AvailabilityZone: 'all' },
              HealthCheckPort: String(t.port),
              TargetHealth: { State: t.state, Reason: t.reason, Description: t.description },
            })),
            ...unknown.map((a) => ({
              Target: { Id: a.Id, Port: Number(a.Port ?? group.port) },
              TargetHealth: {
                State: 'unused',
                Reason: 'Target.NotRegistered',
                Description: 'Target is not registered to the target group',
              },
            })),
          ],
        };
      },
      RegisterTargets: (p) => {
        const group = this.targetGroup(p.require('TargetGroupArn'));
        for (const t of this.targetsOf(p)) group.register(t.id, t.port);
        return {};
      },
      DeregisterTargets: (p) => {
        const group = this.targetGroup(p.require('TargetGroupArn'));
        for (const t of this.targetsOf(p)) void group.deregister(t.id, t.port);
        return {};
      },
    },
  };
}

function notFound(code: string, message: string): never {
  throw new AwsError(code, message);
}
