import { beforeAll, describe, expect, it } from '@jest/globals';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { type Synthesized, synth } from './synth.js';

let built: Synthesized;
let t: Template;
beforeAll(() => {
  built = synth();
  t = built.serviceTemplate;
});

describe('the service stack', () => {
  it('builds a 10.0.0.0/16 VPC over two AZs with two public, two private subnets and one NAT gateway', () => {
    t.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16' });
    t.resourceCountIs('AWS::EC2::Subnet', 4);
    t.resourceCountIs('AWS::EC2::NatGateway', 1);
    const subnets = Object.values(t.findResources('AWS::EC2::Subnet'));
    const publicSubnets = subnets.filter((s) => s.Properties.MapPublicIpOnLaunch === true);
    expect(publicSubnets).toHaveLength(2);
  });

  it('puts an internet-facing ALB in the public subnets, open on port 80 only', () => {
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      Subnets: [{ Ref: Match.stringLikeRegexp('Vpcpublic') }, { Ref: Match.stringLikeRegexp('Vpcpublic') }],
    });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP' });
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 80, ToPort: 80 })],
    });
  });

  it('uses an ip target group health-checked on / with fast-deploy timings', () => {
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'ip',
      Port: 3000,
      HealthCheckPath: '/',
      HealthCheckIntervalSeconds: Match.anyValue(),
      HealthyThresholdCount: 2,
      Matcher: { HttpCode: '200' },
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '10' }]),
    });
    const group = Object.values(t.findResources('AWS::ElasticLoadBalancingV2::TargetGroup'))[0];
    expect(group?.Properties.HealthCheckIntervalSeconds).toBeLessThanOrEqual(10);
  });

  it('runs ≥ 2 Fargate tasks in private subnets, no public IP, rolling 100/200 with circuit breaker and rollback', () => {
    t.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      DesiredCount: 2,
      HealthCheckGracePeriodSeconds: Match.anyValue(),
      DeploymentConfiguration: Match.objectLike({
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      }),
      NetworkConfiguration: {
        AwsvpcConfiguration: Match.objectLike({
          AssignPublicIp: 'DISABLED',
          Subnets: [
            { Ref: Match.stringLikeRegexp('Vpcprivate') },
            { Ref: Match.stringLikeRegexp('Vpcprivate') },
          ],
        }),
      },
    });
    t.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
  });

  it('defines the container on port 3000 with CloudWatch logs, a short stop timeout and both roles', () => {
    t.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          Name: 'web',
          PortMappings: [Match.objectLike({ ContainerPort: 3000 })],
          LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }),
          StopTimeout: 15,
          DockerLabels: { 'stepship.bootstrap': 'true' },
        }),
      ],
      TaskRoleArn: Match.anyValue(),
      ExecutionRoleArn: Match.anyValue(),
    });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('lets the task role list DynamoDB tables and nothing else', () => {
    const policies = Object.values(t.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p.Properties.Roles).includes('WebTaskRole'),
    );
    expect(policies).toHaveLength(1);
    expect(policies[0]?.Properties.PolicyDocument.Statement).toEqual([
      { Action: 'dynamodb:ListTables', Effect: 'Allow', Resource: '*' },
    ]);
  });

  it('admits only the load balancer to the tasks, on the container port', () => {
    const ingress = Object.values(t.findResources('AWS::EC2::SecurityGroupIngress'));
    expect(ingress).toHaveLength(1);
    expect(ingress[0]?.Properties).toMatchObject({
      FromPort: 3000,
      ToPort: 3000,
      SourceSecurityGroupId: {
        'Fn::GetAtt': [expect.stringMatching(/^LoadBalancerSecurityGroup/), 'GroupId'],
      },
    });
  });

  it('keeps images in a scanned repository that expires untagged images', () => {
    t.hasResourceProperties('AWS::ECR::Repository', {
      RepositoryName: 'web',
      ImageScanningConfiguration: { ScanOnPush: true },
      LifecyclePolicy: { LifecyclePolicyText: Match.stringLikeRegexp('"tagStatus":"untagged"') },
    });
  });

  it('creates the application table on demand, with point-in-time recovery, encrypted', () => {
    t.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'web-app-table',
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('outputs the load balancer URL, repository URI, cluster and service names', () => {
    for (const name of ['LoadBalancerUrl', 'RepositoryUri', 'ClusterName', 'ServiceName'])
      t.hasOutput(name, {});
  });
});

describe('the service stack with a certificate', () => {
  it('serves HTTPS on 443 and redirects 80 to it', () => {
    const https = synth({
      stepship: {
        certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0f0e0d0c-1111-2222-3333-444455556666',
        domainName: 'app.example.com',
      },
    }).serviceTemplate;
    https.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Protocol: 'HTTPS' });
    https.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      DefaultActions: [
        Match.objectLike({ Type: 'redirect', RedirectConfig: Match.objectLike({ Port: '443' }) }),
      ],
    });
    https.hasOutput('LoadBalancerUrl', { Value: 'https://app.example.com' });
  });
});
