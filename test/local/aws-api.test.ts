import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ClientException,
  ClusterNotFoundException,
  CreateCapacityProviderCommand,
  CreateClusterCommand,
  CreateServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListClustersCommand,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  ServiceNotFoundException,
  StopTaskCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import {
  DeregisterTargetsCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
  TargetGroupNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LOCAL_CREDENTIALS, LocalCloud } from '../../local/cloud.js';
import { eventually } from '../helpers/eventually.js';
import { pushTestImage, serviceScript } from './test-images.js';

const _ROOT = new URL('../../', import.meta.url).pathname;
let cloud: LocalCloud;
let config: { endpoint: string; region: string; credentials: typeof LOCAL_CREDENTIALS };

beforeAll(async () => {
  cloud = await LocalCloud.start({
    endpointPort: 0,
    loadBalancerPort: 0,
    stateDir: mkdtempSync(join(tmpdir(), 'stepship-api-')),
  });
  config = { endpoint: cloud.endpointUrl, region: cloud.region, credentials: LOCAL_CREDENTIALS };
}, 30_000);
afterAll(() => cloud.stop());

describe('ECS through the SDK', () => {
  const ecs = () => new ECSClient(config);

  it('manages clusters, task definitions, services and tasks', async () => {
    cloud.ecr.createRepository(cloud.scope, { repositoryName: 'api-repo' });
    await ecs().send(new CreateClusterCommand({ clusterName: 'api' }));
    expect((await ecs().send(new ListClustersCommand({}))).clusterArns).toContain(
      `arn:aws:ecs:us-east-1:${cloud.accountId}:cluster/api`,
    );
    const clusters = await ecs().send(new DescribeClustersCommand({ clusters: ['api', 'ghost'] }));
    expect(clusters.clusters?.map((c) => c.clusterName)).toEqual(['api']);
    expect(clusters.failures?.[0]).toMatchObject({ reason: 'MISSING' });

    const image = pushTestImage(cloud, 'api-repo', 'v2', serviceScript('v2'));
    const registered = await ecs().send(
      new RegisterTaskDefinitionCommand({
        family: 'api',
        containerDefinitions: [
          { name: 'app', image, portMappings: [{ containerPort: 3000 }], stopTimeout: 2 },
        ],
      }),
    );
    expect(registered.taskDefinition).toMatchObject({ family: 'api', revision: 1, status: 'ACTIVE' });
    await expect(
      ecs().send(new RegisterTaskDefinitionCommand({ family: 'api', containerDefinitions: [] })),
    ).rejects.toBeInstanceOf(ClientException);
    expect(
      (await ecs().send(new DescribeTaskDefinitionCommand({ taskDefinition: 'api:1' }))).taskDefinition
        ?.containerDefinitions?.[0]?.image,
    ).toBe(image);
    await expect(ecs().send(new DescribeTaskDefinitionCommand({ taskDefinition: 'api:9' }))).rejects.toThrow(
      'Unable to describe task definition.',
    );
    expect(
      (await ecs().send(new ListTaskDefinitionsCommand({ familyPrefix: 'api' }))).taskDefinitionArns,
    ).toEqual([registered.taskDefinition?.taskDefinitionArn]);

    await expect(
      ecs().send(new CreateServiceCommand({ cluster: 'ghost', serviceName: 'x', taskDefinition: 'api' })),
    ).rejects.toBeInstanceOf(ClusterNotFoundException);
    const created = await ecs().send(
      new CreateServiceCommand({
        cluster: 'api',
        serviceName: 'api',
        taskDefinition: 'api',
        desiredCount: 1,
        launchType: 'FARGATE',
      }),
    );
    expect(created.service?.deployments?.[0]).toMatchObject({
      status: 'PRIMARY',
      rolloutState: 'IN_PROGRESS',
      id: expect.stringMatching(/^ecs-svc\/\d+$/),
    });
    expect((await ecs().send(new ListServicesCommand({ cluster: 'api' }))).serviceArns).toHaveLength(1);
    const running = await eventually('the service to complete its deployment', async () => {
      const d = (await ecs().send(new DescribeServicesCommand({ cluster: 'api', services: ['api'] })))
        .services?.[0]?.deployments?.[0];
      return d?.rolloutState === 'COMPLETED' ? d : undefined;
    });
    expect(running.runningCount).toBe(1);
    const missing = await ecs().send(new DescribeServicesCommand({ cluster: 'api', services: ['ghost'] }));
    expect(missing.failures?.[0]?.reason).toBe('MISSING');
    await expect(
      ecs().send(new UpdateServiceCommand({ cluster: 'api', service: 'ghost', desiredCount: 1 })),
    ).rejects.toBeInstanceOf(ServiceNotFoundException);

    const [taskArn] =
      (await ecs().send(new ListTasksCommand({ cluster: 'api', serviceName: 'api' }))).taskArns ?? [];
    const task = (await ecs().send(new DescribeTasksCommand({ cluster: 'api', tasks: [taskArn ?? ''] })))
      .tasks?.[0];
    expect(task).toMatchObject({
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      launchType: 'FARGATE',
      startedBy: running.id,
    });
    const stopped = await ecs().send(
      new StopTaskCommand({ cluster: 'api', task: taskArn, reason: 'testing StopTask' }),
    );
    expect(stopped.task?.desiredStatus).toBe('STOPPED');
    const after = await eventually('the task to stop', async () => {
      const t = (await ecs().send(new DescribeTasksCommand({ cluster: 'api', tasks: [taskArn ?? ''] })))
        .tasks?.[0];
      return t?.lastStatus === 'STOPPED' ? t : undefined;
    });
    expect(after).toMatchObject({
      stoppedReason: 'testing StopTask',
      stopCode: 'UserInitiated',
      containers: [expect.objectContaining({ exitCode: 0 })],
    });
    // The scheduler replaces the stopped task.
    await eventually('the replacement task', async () =>
      (await ecs().send(new ListTasksCommand({ cluster: 'api', serviceName: 'api' }))).taskArns?.length === 1
        ? true
        : undefined,
    );

    await ecs().send(new UpdateServiceCommand({ cluster: 'api', service: 'api', desiredCount: 0 }));
    const deregistered = await ecs().send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'api:1' }));
    expect(deregistered.taskDefinition?.status).toBe('INACTIVE');
  }, 60_000);

  it('answers an operation it does not implement with a clear error, never a silent success', async () => {
    await expect(
      ecs().send(
        new CreateCapacityProviderCommand({
          name: 'x',
          autoScalingGroupProvider: { autoScalingGroupArn: 'arn' },
        }),
      ),
    ).rejects.toThrow(/does not implement ECS CreateCapacityProvider/);
  });
});

describe('ELBv2 through the SDK (awsQuery)', () => {
  const elb = () => new ElasticLoadBalancingV2Client(config);

  it('describes load balancers, listeners, target groups and target health, and registers targets', async () => {
    const group = cloud.elbv2.createTargetGroup(cloud.scope, {
      Name: 'api-tg',
      Port: 3000,
      TargetType: 'ip',
      HealthCheckPath: '/',
      HealthCheckIntervalSeconds: 5,
      HealthCheckTimeoutSeconds: 2,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 2,
      DeregistrationDelaySeconds: 1,
    }).group;
    const lb = await cloud.elbv2.createLoadBalancer(cloud.scope, { Name: 'api-lb' });
    cloud.elbv2.createListener(cloud.scope, {
      LoadBalancerArn: lb.arn,
      Port: 8443,
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'forward', TargetGroupArn: group.arn }],
    });
    expect(
      (await elb().send(new DescribeLoadBalancersCommand({ Names: ['api-lb'] }))).LoadBalancers?.[0],
    ).toMatchObject({ LoadBalancerArn: lb.arn, Scheme: 'internet-facing', State: { Code: 'active' } });
    expect(
      (await elb().send(new DescribeListenersCommand({ LoadBalancerArn: lb.arn }))).Listeners?.[0],
    ).toMatchObject({ Port: 8443, DefaultActions: [{ Type: 'forward', TargetGroupArn: group.arn }] });
    expect(
      (await elb().send(new DescribeTargetGroupsCommand({ TargetGroupArns: [group.arn] }))).TargetGroups?.[0],
    ).toMatchObject({
      HealthCheckPath: '/',
      TargetType: 'ip',
      HealthyThresholdCount: 2,
      Matcher: { HttpCode: '200' },
    });
    await elb().send(
      new RegisterTargetsCommand({ TargetGroupArn: group.arn, Targets: [{ Id: '127.0.251.2', Port: 3000 }] }),
    );
    const health = await elb().send(new DescribeTargetHealthCommand({ TargetGroupArn: group.arn }));
    expect(health.TargetHealthDescriptions?.[0]).toMatchObject({
      Target: { Id: '127.0.251.2', Port: 3000 },
      TargetHealth: { State: 'initial' },
    });
    await elb().send(
      new DeregisterTargetsCommand({
        TargetGroupArn: group.arn,
        Targets: [{ Id: '127.0.251.2', Port: 3000 }],
      }),
    );
    expect(
      (await elb().send(new DescribeTargetHealthCommand({ TargetGroupArn: group.arn })))
        .TargetHealthDescriptions?.[0]?.TargetHealth,
    ).toMatchObject({ State: 'draining', Reason: 'Target.DeregistrationInProgress' });
    await expect(
      elb().send(
        new DescribeTargetHealthCommand({
          TargetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:0:targetgroup/x/y',
        }),
      ),
    ).rejects.toBeInstanceOf(TargetGroupNotFoundException);
  });
});
