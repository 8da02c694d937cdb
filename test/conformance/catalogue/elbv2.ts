import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
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
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { expect } from '@jest/globals';
import { caseBuilders } from '../case-builders.js';
import { type ClientClass, type ServiceCatalogue, tableOperations } from '../suite.js';

interface Elbv2Fixtures {
  loadBalancerArn: string;
  targetGroupArn: string;
  /** A target group no listener uses. */
  spareTargetGroupArn: string;
  listenerArn: string;
  ruleArn: string;
}

const SUBNETS = ['subnet-1', 'subnet-2'];
const GONE_TG = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/gone/0123456789abcdef';
const GONE_LB = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/gone/0123456789abcdef';
const GONE_LISTENER =
  'arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/gone/0123456789abcdef/0123456789abcdef';
const GONE_CERTIFICATE =
  'arn:aws:acm:us-east-1:000000000000:certificate/00000000-0000-0000-0000-000000000000';
// Targets on a port nothing listens on: registered and health-checked, never healthy.
const TARGET = { Id: '127.0.0.1', Port: 9 };

const targetGroup = (name: string): CreateTargetGroupInput => ({
  Name: name,
  Protocol: 'HTTP',
  Port: 3000,
  VpcId: 'vpc-1',
  TargetType: 'ip',
  HealthCheckPath: '/',
  HealthCheckIntervalSeconds: 5,
  HealthCheckTimeoutSeconds: 2,
});

const forward = (arn: string) => [{ Type: 'forward' as const, TargetGroupArn: arn }];
const pathRule = (listenerArn: string, priority: number, path: string, group: string) => ({
  ListenerArn: listenerArn,
  Priority: priority,
  Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: [path] } }],
  Actions: forward(group),
});

const { custom, fails, ok, paginates, refuses } = caseBuilders<Elbv2Fixtures>();

export const elbv2: ServiceCatalogue<Elbv2Fixtures> = {
  model: 'elbv2',
  client: ElasticLoadBalancingV2Client as unknown as ClientClass,
  emulated: (cloud) => tableOperations(cloud.elbv2.api),

  async setup({ prepare }) {
    const lb = await prepare(CreateLoadBalancerCommand, { Name: 'conf-lb', Subnets: SUBNETS });
    for (const name of ['conf-lb-b', 'conf-lb-c'])
      await prepare(CreateLoadBalancerCommand, { Name: name, Subnets: SUBNETS });
    const groups: string[] = [];
    for (const name of ['conf-tg-1', 'conf-tg-2', 'conf-tg-3']) {
      const out = await prepare(CreateTargetGroupCommand, targetGroup(name));
      groups.push(out.TargetGroups?.[0]?.TargetGroupArn ?? '');
    }
    const [tg1 = '', tg2 = '', tg3 = ''] = groups;
    const loadBalancerArn = lb.LoadBalancers?.[0]?.LoadBalancerArn ?? '';
    const listeners: string[] = [];
    for (const port of [80, 81, 82]) {
      const out = await prepare(CreateListenerCommand, {
        LoadBalancerArn: loadBalancerArn,
        Protocol: 'HTTP',
        Port: port,
        DefaultActions: forward(tg1),
      });
      listeners.push(out.Listeners?.[0]?.ListenerArn ?? '');
    }
    const listenerArn = listeners[0] ?? '';
    const rule = await prepare(CreateRuleCommand, pathRule(listenerArn, 10, '/api/*', tg2));
    await prepare(CreateRuleCommand, pathRule(listenerArn, 20, '/admin/*', tg2));
    await prepare(RegisterTargetsCommand, { TargetGroupArn: tg1, Targets: [TARGET] });
    return {
      loadBalancerArn,
      targetGroupArn: tg1,
      spareTargetGroupArn: tg3,
      listenerArn,
      ruleArn: rule.Rules?.[0]?.RuleArn ?? '',
    };
  },

  cases: [
    ok(
      CreateLoadBalancerCommand,
      'creates an application load balancer',
      { Name: 'conf-lb-new', Subnets: SUBNETS },
      (out) => expect(out.LoadBalancers?.[0]?.State?.Code).toBe('active'),
    ),
    fails(CreateLoadBalancerCommand, 'a name with an underscore', { Name: 'conf_lb', Subnets: SUBNETS }, [
      'ValidationError',
      'InvalidConfigurationRequest',
    ]),
    fails(
      CreateLoadBalancerCommand,
      'a network load balancer (not emulated) is refused with a declared error',
      { Name: 'conf-nlb', Subnets: SUBNETS, Type: 'network' },
      ['InvalidConfigurationRequest', 'OperationNotPermitted', 'ValidationError'],
    ),
    ok(DescribeLoadBalancersCommand, 'describes a load balancer by name', { Names: ['conf-lb'] }, (out) =>
      expect(out.LoadBalancers?.map((lb) => lb.LoadBalancerName)).toEqual(['conf-lb']),
    ),
    fails(DescribeLoadBalancersCommand, 'an unknown name', { Names: ['absent'] }, 'LoadBalancerNotFound'),
    ...paginates(DescribeLoadBalancersCommand, {}),
    custom('DeleteLoadBalancer', 'deletes a load balancer', async (w) => {
      const lb = await w.prepare(CreateLoadBalancerCommand, { Name: 'conf-lb-doomed', Subnets: SUBNETS });
      await w.send(DeleteLoadBalancerCommand, {
        LoadBalancerArn: lb.LoadBalancers?.[0]?.LoadBalancerArn ?? '',
      });
      const left = await w.prepare(DescribeLoadBalancersCommand, {});
      expect(left.LoadBalancers?.map((x) => x.LoadBalancerName)).not.toContain('conf-lb-doomed');
    }),
    ok(DeleteLoadBalancerCommand, 'a load balancer that is gone (succeeds, as on AWS)', {
      LoadBalancerArn: GONE_LB,
    }),
    fails(DeleteLoadBalancerCommand, 'a malformed ARN', { LoadBalancerArn: 'conf-lb' }, 'ValidationError'),
    ok(CreateTargetGroupCommand, 'creates an IP target group', targetGroup('conf-tg-new'), (out) =>
      expect(out.TargetGroups?.[0]?.TargetType).toBe('ip'),
    ),
    fails(
      CreateTargetGroupCommand,
      'a health-check timeout not below its interval',
      { ...targetGroup('conf-tg-bad'), HealthCheckTimeoutSeconds: 10 },
      ['ValidationError', 'InvalidConfigurationRequest'],
    ),
    ok(DescribeTargetGroupsCommand, 'describes target groups by name', { Names: ['conf-tg-1'] }, (out) =>
      expect(out.TargetGroups?.map((g) => g.TargetGroupName)).toEqual(['conf-tg-1']),
    ),
    fails(
      DescribeTargetGroupsCommand,
      'an unknown ARN',
      { TargetGroupArns: [GONE_TG] },
      'TargetGroupNotFound',
    ),
    ...paginates(DescribeTargetGroupsCommand, {}),
    fails(DescribeTargetGroupsCommand, 'a page size over 400', { PageSize: 401 }, 'ValidationError'),
    custom('DeleteTargetGroup', 'deletes an unused target group', async (w) => {
      const out = await w.prepare(CreateTargetGroupCommand, targetGroup('conf-tg-doomed'));
      await w.send(DeleteTargetGroupCommand, { TargetGroupArn: out.TargetGroups?.[0]?.TargetGroupArn ?? '' });
    }),
    fails(
      DeleteTargetGroupCommand,
      'a target group a listener forwards to',
      (f) => ({ TargetGroupArn: f.targetGroupArn }),
      'ResourceInUse',
    ),
    ok(
      DescribeTargetGroupAttributesCommand,
      'describes the attributes',
      (f) => ({ TargetGroupArn: f.targetGroupArn }),
      (out) =>
        expect(out.Attributes).toContainEqual({ Key: 'deregistration_delay.timeout_seconds', Value: '300' }),
    ),
    fails(
      DescribeTargetGroupAttributesCommand,
      'an unknown target group',
      { TargetGroupArn: GONE_TG },
      'TargetGroupNotFound',
    ),
    ok(
      ModifyTargetGroupAttributesCommand,
      'sets the deregistration delay',
      (f) => ({
        TargetGroupArn: f.spareTargetGroupArn,
        Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }],
      }),
      (out) =>
        expect(out.Attributes).toContainEqual({ Key: 'deregistration_delay.timeout_seconds', Value: '30' }),
    ),
    fails(
      ModifyTargetGroupAttributesCommand,
      'a delay beyond an hour',
      (f) => ({
        TargetGroupArn: f.spareTargetGroupArn,
        Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '3601' }],
      }),
      ['InvalidConfigurationRequest', 'ValidationError'],
    ),
    ok(RegisterTargetsCommand, 'registers an IP target', (f) => ({
      TargetGroupArn: f.spareTargetGroupArn,
      Targets: [TARGET],
    })),
    fails(
      RegisterTargetsCommand,
      'an unknown target group',
      { TargetGroupArn: GONE_TG, Targets: [TARGET] },
      'TargetGroupNotFound',
    ),
    fails(
      RegisterTargetsCommand,
      'a target that is not an IP address',
      (f) => ({ TargetGroupArn: f.spareTargetGroupArn, Targets: [{ Id: 'i-0123456789abcdef0', Port: 80 }] }),
      'InvalidTarget',
    ),
    custom('RegisterTargets', 'an instance target group refuses an instance that does not run', async (w) => {
      const created = await w.prepare(CreateTargetGroupCommand, {
        ...targetGroup('conf-tg-instances'),
        TargetType: 'instance',
      });
      const error = await w.sendExpectingError(RegisterTargetsCommand, {
        TargetGroupArn: created.TargetGroups?.[0]?.TargetGroupArn,
        Targets: [{ Id: 'i-0123456789abcdef0', Port: 40000 }],
      });
      expect(error.code).toBe('InvalidTarget');
    }),
    ok(DeregisterTargetsCommand, 'deregisters a target', (f) => ({
      TargetGroupArn: f.spareTargetGroupArn,
      Targets: [TARGET],
    })),
    fails(
      DeregisterTargetsCommand,
      'an unknown target group',
      { TargetGroupArn: GONE_TG, Targets: [TARGET] },
      'TargetGroupNotFound',
    ),
    ok(
      DescribeTargetHealthCommand,
      'describes registered targets',
      (f) => ({ TargetGroupArn: f.targetGroupArn }),
      (out) => expect(out.TargetHealthDescriptions?.map((d) => d.Target?.Id)).toEqual([TARGET.Id]),
    ),
    ok(
      DescribeTargetHealthCommand,
      'describes a target that is not registered as unused',
      (f) => ({ TargetGroupArn: f.targetGroupArn, Targets: [{ Id: '127.0.0.2', Port: 9 }] }),
      (out) => expect(out.TargetHealthDescriptions?.[0]?.TargetHealth?.Reason).toBe('Target.NotRegistered'),
    ),
    fails(
      DescribeTargetHealthCommand,
      'an unknown target group',
      { TargetGroupArn: GONE_TG },
      'TargetGroupNotFound',
    ),
    ok(
      CreateListenerCommand,
      'creates an HTTP listener',
      (f) => ({
        LoadBalancerArn: f.loadBalancerArn,
        Protocol: 'HTTP' as const,
        Port: 8081,
        DefaultActions: [{ Type: 'fixed-response' as const, FixedResponseConfig: { StatusCode: '404' } }],
      }),
      (out) => expect(out.Listeners?.[0]?.Port).toBe(8081),
    ),
    fails(
      CreateListenerCommand,
      'a port already taken',
      (f) => ({
        LoadBalancerArn: f.loadBalancerArn,
        Protocol: 'HTTP' as const,
        Port: 80,
        DefaultActions: forward(f.targetGroupArn),
      }),
      'DuplicateListener',
    ),
    fails(
      CreateListenerCommand,
      'an unknown load balancer',
      (f) => ({
        LoadBalancerArn: GONE_LB,
        Protocol: 'HTTP' as const,
        Port: 80,
        DefaultActions: forward(f.targetGroupArn),
      }),
      'LoadBalancerNotFound',
    ),
    custom('CreateListener', 'creates an HTTPS listener with a certificate of the local ACM', async (w) => {
      const certificate = w.cloud.acm.requestCertificate(w.cloud.scope, 'conf.example.com');
      const out = await w.send(CreateListenerCommand, {
        LoadBalancerArn: w.fixtures.loadBalancerArn,
        Protocol: 'HTTPS',
        Port: 8443,
        Certificates: [{ CertificateArn: certificate.arn }],
        DefaultActions: forward(w.fixtures.targetGroupArn),
      });
      expect(out.Listeners?.[0]?.Certificates).toEqual([{ CertificateArn: certificate.arn }]);
    }),
    custom('CreateListener', 'an HTTPS listener with a certificate ACM never issued', async (w) => {
      const answered = await w.sendExpectingError(CreateListenerCommand, {
        LoadBalancerArn: w.fixtures.loadBalancerArn,
        Protocol: 'HTTPS',
        Port: 8444,
        Certificates: [{ CertificateArn: GONE_CERTIFICATE }],
        DefaultActions: forward(w.fixtures.targetGroupArn),
      });
      expect([answered.code, answered.error.message]).toEqual([
        'CertificateNotFound',
        `Certificate '${GONE_CERTIFICATE}' not found`,
      ]);
    }),
    fails(
      CreateListenerCommand,
      'an HTTPS listener without a certificate',
      (f) => ({
        LoadBalancerArn: f.loadBalancerArn,
        Protocol: 'HTTPS' as const,
        Port: 8445,
        DefaultActions: forward(f.targetGroupArn),
      }),
      'ValidationError',
    ),
    ok(
      DescribeListenersCommand,
      'describes a load balancer’s listeners',
      (f) => ({ LoadBalancerArn: f.loadBalancerArn }),
      (out) => expect(out.Listeners?.map((l) => l.Port)).toEqual(expect.arrayContaining([80, 81, 82])),
    ),
    fails(
      DescribeListenersCommand,
      'an unknown load balancer',
      { LoadBalancerArn: GONE_LB },
      'LoadBalancerNotFound',
    ),
    ...paginates(DescribeListenersCommand, (f) => ({ LoadBalancerArn: f.loadBalancerArn })),
    custom('DeleteListener', 'deletes a listener', async (w) => {
      const out = await w.prepare(CreateListenerCommand, {
        LoadBalancerArn: w.fixtures.loadBalancerArn,
        Protocol: 'HTTP',
        Port: 8082,
        DefaultActions: forward(w.fixtures.targetGroupArn),
      });
      await w.send(DeleteListenerCommand, { ListenerArn: out.Listeners?.[0]?.ListenerArn ?? '' });
    }),
    fails(DeleteListenerCommand, 'an unknown listener', { ListenerArn: GONE_LISTENER }, 'ListenerNotFound'),
    ok(
      CreateRuleCommand,
      'creates a path rule',
      (f) => pathRule(f.listenerArn, 30, '/docs/*', f.targetGroupArn),
      (out) => expect(out.Rules?.[0]?.Priority).toBe('30'),
    ),
    fails(
      CreateRuleCommand,
      'a priority in use',
      (f) => pathRule(f.listenerArn, 10, '/other/*', f.targetGroupArn),
      'PriorityInUse',
    ),
    fails(
      CreateRuleCommand,
      'an unknown listener',
      (f) => pathRule(GONE_LISTENER, 40, '/x/*', f.targetGroupArn),
      'ListenerNotFound',
    ),
    ok(
      DescribeRulesCommand,
      'describes a listener’s rules, the default last',
      (f) => ({ ListenerArn: f.listenerArn }),
      (out) => expect(out.Rules?.at(-1)?.IsDefault).toBe(true),
    ),
    fails(DescribeRulesCommand, 'an unknown rule', (f) => ({ RuleArns: [`${f.ruleArn}0`] }), 'RuleNotFound'),
    ...paginates(DescribeRulesCommand, (f) => ({ ListenerArn: f.listenerArn })),
    custom('DeleteRule', 'deletes a rule', async (w) => {
      const out = await w.prepare(
        CreateRuleCommand,
        pathRule(w.fixtures.listenerArn, 50, '/gone/*', w.fixtures.targetGroupArn),
      );
      await w.send(DeleteRuleCommand, { RuleArn: out.Rules?.[0]?.RuleArn ?? '' });
    }),
    refuses(
      DescribeTargetGroupsCommand,
      'a page size that is not a number',
      'Action=DescribeTargetGroups&Version=2015-12-01&PageSize=two',
      'ValidationError',
    ),
    refuses(
      CreateTargetGroupCommand,
      'a boolean that is not true or false',
      'Action=CreateTargetGroup&Version=2015-12-01&Name=conf-tg-bool&HealthCheckEnabled=yes',
      'ValidationError',
    ),
    refuses(
      DescribeTargetHealthCommand,
      'the required TargetGroupArn missing',
      'Action=DescribeTargetHealth&Version=2015-12-01',
      'ValidationError',
    ),
    fails(DeleteRuleCommand, 'an unknown rule', (f) => ({ RuleArn: `${f.ruleArn}0` }), 'RuleNotFound'),
  ],
};
