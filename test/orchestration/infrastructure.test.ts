import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { loadManifest } from '../../manifest/index.js';
import { pipelineTargets } from '../../orchestration/constructs/app-targets.js';
import { targetProblems } from '../../orchestration/constructs/pipeline-target.js';
import { type Synthesized, synth } from './synth.js';
import { dependsOn, only } from './template-graph.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const examples = readdirSync(EXAMPLES).filter((name) => existsSync(join(EXAMPLES, name, 'stepship.yml')));

const synthesized = new Map<string, Synthesized>();
/** Each example synthesized once, as `stepship synth` would, cdk-nag on: a finding fails the synth. */
function example(name: string): Synthesized {
  let built = synthesized.get(name);
  if (!built) {
    built = synth({ app: loadManifest(join(EXAMPLES, name)) });
    synthesized.set(name, built);
  }
  return built;
}

const resourceOf = (template: Template, type: string, id: RegExp) =>
  only(template, type, id)[1] as { Properties: Record<string, unknown>; DependsOn?: string[] };
const idOf = (template: Template, type: string, id?: RegExp) => only(template, type, id)[0];
const definitionOf = (built: Synthesized) =>
  JSON.stringify(only(built.pipelineTemplate, 'AWS::StepFunctions::StateMachine')[1]);

describe('autoscaling (examples/notes-scaled-https)', () => {
  const { appTemplate: t } = example('notes-scaled-https');

  it('registers each scaled service as a scalable target between its min and max tasks', () => {
    t.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 2);
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 2,
      MaxCapacity: 10,
      ScalableDimension: 'ecs:service:DesiredCount',
      ServiceNamespace: 'ecs',
      ResourceId: {
        'Fn::Join': ['', ['service/', { Ref: Match.stringLikeRegexp('^Cluster') }, '/', Match.anyValue()]],
      },
    });
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 2,
      MaxCapacity: 6,
    });
  });

  it('tracks CPU, memory and requests per target, each with the declared cooldowns', () => {
    const tracking = (metric: string, target: number, scaleIn = 300) =>
      t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({
          PredefinedMetricSpecification: Match.objectLike({ PredefinedMetricType: metric }),
          TargetValue: target,
          ScaleInCooldown: scaleIn,
          ScaleOutCooldown: 60,
        }),
      });
    tracking('ECSServiceAverageCPUUtilization', 60);
    tracking('ECSServiceAverageMemoryUtilization', 70);
    tracking('ALBRequestCountPerTarget', 500);
    tracking('ALBRequestCountPerTarget', 800, 600);
    t.resourceCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', 4);
  });

  it("counts requests by the load balancer's and the target group's resource label", () => {
    const policy = resourceOf(
      t,
      'AWS::ApplicationAutoScaling::ScalingPolicy',
      /^ApiServiceTaskCountTargetRequests/,
    );
    const label = JSON.stringify(policy.Properties.TargetTrackingScalingPolicyConfiguration);
    const https = idOf(t, 'AWS::ElasticLoadBalancingV2::Listener', /Https/);
    // app/<name>/<id> of the load balancer, from its listener's ARN, then targetgroup/<name>/<id>.
    expect(label).toContain(`{"Fn::Select":[1,{"Fn::Split":["/",{"Ref":"${https}"}]}]}`);
    expect(label).toContain(`{"Fn::Select":[3,{"Fn::Split":["/",{"Ref":"${https}"}]}]}`);
    expect(label).toContain(
      `{"Fn::GetAtt":["${idOf(t, 'AWS::ElasticLoadBalancingV2::TargetGroup', /^Api/)}","TargetGroupFullName"]}`,
    );
    // Application Auto Scaling needs the target group routed to before it accepts the policy.
    const rule = idOf(t, 'AWS::ElasticLoadBalancingV2::ListenerRule');
    expect(
      dependsOn(
        t,
        idOf(t, 'AWS::ApplicationAutoScaling::ScalingPolicy', /^ApiServiceTaskCountTargetRequests/),
        rule,
      ),
    ).toBe(true);
  });

  it('leaves the task count out of a scaled service, so no stack update resets what autoscaling chose', () => {
    for (const service of Object.values(t.findResources('AWS::ECS::Service')))
      expect(service.Properties).not.toHaveProperty('DesiredCount');
    // A service with a fixed count still pins it.
    example('microservices').appTemplate.allResourcesProperties('AWS::ECS::Service', { DesiredCount: 2 });
  });
});

describe('Fargate Spot (examples/notes-scaled-https)', () => {
  const { appTemplate: t } = example('notes-scaled-https');

  it("places each service's tasks by its capacity provider strategy instead of a launch type", () => {
    const api = resourceOf(t, 'AWS::ECS::Service', /^Api/).Properties;
    expect(api.CapacityProviderStrategy).toEqual([
      { CapacityProvider: 'FARGATE_SPOT', Weight: 3, Base: 0 },
      { CapacityProvider: 'FARGATE', Weight: 1, Base: 1 },
    ]);
    expect(api).not.toHaveProperty('LaunchType');
  });

  it("associates the Fargate providers with the cluster, before any service uses them and after they're gone", () => {
    const association = only(t, 'AWS::ECS::ClusterCapacityProviderAssociations');
    expect(association[1].Properties).toMatchObject({
      CapacityProviders: ['FARGATE', 'FARGATE_SPOT'],
      Cluster: { Ref: idOf(t, 'AWS::ECS::Cluster') },
    });
    for (const service of Object.keys(t.findResources('AWS::ECS::Service')))
      expect(dependsOn(t, service, association[0])).toBe(true);
  });

  it('keeps the FARGATE launch type, and no association, for services without a strategy', () => {
    const plain = example('microservices').appTemplate;
    plain.allResourcesProperties('AWS::ECS::Service', { LaunchType: 'FARGATE' });
    plain.resourceCountIs('AWS::ECS::ClusterCapacityProviderAssociations', 0);
  });
});

describe("HTTPS on the user's domain (examples/notes-scaled-https)", () => {
  const built = example('notes-scaled-https');
  const t = built.appTemplate;

  it('gets an ACM certificate for the name, validated by DNS in the hosted zone named by its id', () => {
    t.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'notes.example.com',
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: 'notes.example.com', HostedZoneId: 'Z0123456789ABCDEFGHIJ' }],
    });
  });

  it('points the name at the load balancer with an alias A record in that zone', () => {
    const lb = idOf(t, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    t.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'notes.example.com.',
      Type: 'A',
      HostedZoneId: 'Z0123456789ABCDEFGHIJ',
      AliasTarget: {
        DNSName: { 'Fn::Join': ['', ['dualstack.', { 'Fn::GetAtt': [lb, 'DNSName'] }]] },
        HostedZoneId: { 'Fn::GetAtt': [lb, 'CanonicalHostedZoneID'] },
      },
    });
  });

  it('serves HTTPS on 443 with the routing rules, and redirects 80 there', () => {
    const https = idOf(t, 'AWS::ElasticLoadBalancingV2::Listener', /Https/);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: { Ref: idOf(t, 'AWS::CertificateManager::Certificate') } }],
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      DefaultActions: [
        { Type: 'forward', TargetGroupArn: { Ref: Match.stringLikeRegexp('^WebTargetGroup') } },
      ],
    });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [
        { Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } },
      ],
    });
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 2);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      ListenerArn: { Ref: https },
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }],
    });
    for (const port of [80, 443]) {
      t.hasResourceProperties('AWS::EC2::SecurityGroup', {
        SecurityGroupIngress: Match.arrayWith([
          Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: port, ToPort: port }),
        ]),
      });
    }
  });

  it('gives the app its https://<domain> URL as ${loadBalancer.url}', () => {
    t.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          Name: 'web',
          Environment: Match.arrayWith([{ Name: 'API_URL', Value: 'https://notes.example.com/api' }]),
        }),
      ],
    });
    t.hasOutput('LoadBalancerUrl', { Value: 'https://notes.example.com' });
  });

  it("verifies through the load balancer's own DNS name, asking it for the domain", () => {
    const definition = definitionOf(built);
    expect(definition).toMatch(
      /\\"loadBalancerUrl\\":\\"https:\/\/",\{"Fn::ImportValue":"[^"]*LoadBalancer[^"]*DNSName/,
    );
    expect(definition).toContain('\\"serverName\\":\\"notes.example.com\\"');
  });

  it('synthesizes without a context lookup', () => {
    expect(built.app.synth().manifest.missing ?? []).toEqual([]);
  });
});

describe('the low-cost network (examples/api-low-cost)', () => {
  const built = example('api-low-cost');
  const { appTemplate: t, pipelineTemplate: p } = built;

  it('has public subnets only and no NAT gateway', () => {
    t.resourceCountIs('AWS::EC2::NatGateway', 0);
    t.resourceCountIs('AWS::EC2::EIP', 0);
    const subnets = Object.values(t.findResources('AWS::EC2::Subnet'));
    expect(subnets).toHaveLength(2);
    for (const subnet of subnets) expect(subnet.Properties.MapPublicIpOnLaunch).toBe(true);
  });

  it('gives tasks public IPs, behind a security group that admits only the load balancer', () => {
    const service = resourceOf(t, 'AWS::ECS::Service', /^Api/).Properties;
    expect(service.NetworkConfiguration).toMatchObject({
      AwsvpcConfiguration: { AssignPublicIp: 'ENABLED' },
    });
    const taskGroup = idOf(t, 'AWS::EC2::SecurityGroup', /^ApiSecurityGroup/);
    const albGroup = idOf(t, 'AWS::EC2::SecurityGroup', /LoadBalancerSecurityGroup/);
    const admitted = [t, p].flatMap((template) =>
      Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).filter((r) =>
        JSON.stringify(r.Properties.GroupId).includes(taskGroup),
      ),
    );
    expect(admitted.map((r) => r.Properties)).toEqual([
      expect.objectContaining({
        FromPort: 8080,
        ToPort: 8080,
        SourceSecurityGroupId: { 'Fn::GetAtt': [albGroup, 'GroupId'] },
      }),
    ]);
    expect(resourceOf(t, 'AWS::EC2::SecurityGroup', /^ApiSecurityGroup/).Properties).not.toHaveProperty(
      'SecurityGroupIngress',
    );
  });

  it('runs the verify step outside the VPC, which it could not leave without NAT', () => {
    const verify = resourceOf(p, 'AWS::Lambda::Function', /VerifyChecks/).Properties;
    expect(verify).not.toHaveProperty('VpcConfig');
    p.resourceCountIs('AWS::EC2::SecurityGroup', 0);
    expect(JSON.stringify(p.findResources('AWS::IAM::Policy'))).not.toContain('ec2:CreateNetworkInterface');
  });

  it('refuses a target the verify step could check only at its own address', () => {
    const [api] = pipelineTargets(built.appStack);
    if (!api) throw new Error('the example has a target');
    expect(targetProblems([{ ...api, verify: { checks: api.verify.checks } }])).toEqual([
      'api: the verify step runs outside the VPC, so it needs an identity route to tell the new tasks apart',
    ]);
  });
});

describe('EC2 capacity (examples/api-on-ec2)', () => {
  const built = example('api-on-ec2');
  const { appTemplate: t, pipelineTemplate: p } = built;

  it('runs an Auto Scaling group of ECS-optimized instances, the AMI from its public SSM parameter', () => {
    const template = resourceOf(t, 'AWS::EC2::LaunchTemplate', /^Api/).Properties
      .LaunchTemplateData as Record<string, unknown>;
    expect(template).toMatchObject({
      InstanceType: 't3.small',
      MetadataOptions: { HttpTokens: 'required' },
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeType: 'gp3' } }],
      NetworkInterfaces: [expect.objectContaining({ AssociatePublicIpAddress: false })],
    });
    const image = (template.ImageId as { Ref: string }).Ref;
    expect(t.toJSON().Parameters[image]).toEqual({
      Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>',
      Default: '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id',
    });
    const userData = JSON.stringify(template.UserData);
    expect(userData).toContain('echo ECS_CLUSTER=');
    expect(userData).toContain(`{"Ref":"${idOf(t, 'AWS::ECS::Cluster')}"}`);
    t.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      MinSize: '1',
      MaxSize: '3',
      VPCZoneIdentifier: [
        { Ref: Match.stringLikeRegexp('privateSubnet1') },
        { Ref: Match.stringLikeRegexp('privateSubnet2') },
      ],
    });
    expect(built.app.synth().manifest.missing ?? []).toEqual([]);
  });

  it('lets ECS scale the group through a capacity provider that does not protect instances from deletion', () => {
    t.hasResourceProperties('AWS::ECS::CapacityProvider', {
      AutoScalingGroupProvider: {
        AutoScalingGroupArn: { Ref: idOf(t, 'AWS::AutoScaling::AutoScalingGroup') },
        ManagedScaling: { Status: 'ENABLED', TargetCapacity: 100 },
        ManagedTerminationProtection: 'DISABLED',
        ManagedDraining: 'ENABLED',
      },
    });
    const service = resourceOf(t, 'AWS::ECS::Service', /^Api/).Properties;
    expect(service.CapacityProviderStrategy).toEqual([
      { CapacityProvider: { Ref: idOf(t, 'AWS::ECS::CapacityProvider') }, Weight: 1 },
    ]);
    expect(service).not.toHaveProperty('LaunchType');
    expect(service).not.toHaveProperty('NetworkConfiguration');
  });

  it('runs tasks in bridge mode on dynamic host ports, behind an instance target group', () => {
    t.hasResourceProperties('AWS::ECS::TaskDefinition', {
      NetworkMode: 'bridge',
      RequiresCompatibilities: ['EC2'],
      ContainerDefinitions: [
        Match.objectLike({
          Cpu: 256,
          Memory: 512,
          PortMappings: [Match.objectLike({ ContainerPort: 8080, HostPort: 0 })],
        }),
      ],
    });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'instance',
      Port: 8080,
      HealthCheckPort: 'traffic-port',
    });
  });

  it("admits only the load balancer to the instances, on the ephemeral range tasks' host ports come from", () => {
    const instances = idOf(t, 'AWS::EC2::SecurityGroup', /^ApiCapacitySecurityGroup/);
    const albGroup = idOf(t, 'AWS::EC2::SecurityGroup', /LoadBalancerSecurityGroup/);
    const admitted = [t, p].flatMap((template) =>
      Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).filter((r) =>
        JSON.stringify(r.Properties.GroupId).includes(instances),
      ),
    );
    expect(admitted.map((r) => r.Properties)).toEqual([
      expect.objectContaining({
        IpProtocol: 'tcp',
        FromPort: 32768,
        ToPort: 65535,
        SourceSecurityGroupId: { 'Fn::GetAtt': [albGroup, 'GroupId'] },
      }),
    ]);
  });

  it('is deleted in the order ECS allows: service, association, capacity provider, instances, cluster', () => {
    const order = [
      idOf(t, 'AWS::ECS::Service'),
      idOf(t, 'AWS::ECS::ClusterCapacityProviderAssociations'),
      idOf(t, 'AWS::ECS::CapacityProvider'),
      idOf(t, 'AWS::AutoScaling::AutoScalingGroup'),
      idOf(t, 'AWS::ECS::Cluster'),
    ];
    // CloudFormation deletes a resource before those it depends on.
    for (let i = 0; i + 1 < order.length; i++)
      expect([order[i], dependsOn(t, order[i] ?? '', order[i + 1] ?? '')]).toEqual([order[i], true]);
  });

  it('lets the verify step find the instance of each task, and reach them only through the load balancer', () => {
    const verifyTargets = Object.values(p.findResources('AWS::IAM::Policy')).find((policy) =>
      JSON.stringify(policy.Properties.Roles).includes('VerifyTargets'),
    );
    expect(JSON.stringify(verifyTargets?.Properties.PolicyDocument)).toMatch(
      /"Action":"ecs:DescribeContainerInstances".*container-instance\/stepship-oninstances\/\*/,
    );
    const [api] = pipelineTargets(built.appStack);
    if (!api) throw new Error('the example has a target');
    expect(api.networkMode).toBe('bridge');
    expect(
      targetProblems([
        { ...api, verify: { ...api.verify, identity: { path: '/api/hello', field: 'taskIp', kind: 'ip' } } },
      ]),
    ).toEqual([
      'api: tasks in bridge mode have no IP of their own; verification needs an identity route of kind arn',
    ]);
  });
});

const cfnLint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
(cfnLint.status === 0 ? describe : describe.skip)('every example', () => {
  it('include the variants of this issue beside the apps they build on', () => {
    expect(examples).toEqual(
      expect.arrayContaining([
        'frontend-backend',
        'microservices',
        'static-status',
        'notes-scaled-https',
        'api-low-cost',
        'api-on-ec2',
      ]),
    );
  });

  it.each(examples)(
    '%s synthesizes cdk-nag clean, and cfn-lint finds no error or warning in its templates',
    (name) => {
      const { outdir, model } = example(name);
      const templates = ['App', 'Pipeline'].map((stack) =>
        join(outdir, `Stepship-${model.name}-${stack}.template.json`),
      );
      const result = spawnSync('cfn-lint', templates, { encoding: 'utf8' });
      expect(result.stdout + result.stderr).toBe('');
      expect(result.status).toBe(0);
    },
    120_000,
  );
});
