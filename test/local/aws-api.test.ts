import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
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
import {
  EventBridgeClient,
  ListRulesCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  ResourceNotFoundException as FunctionNotFound,
  InvokeCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionAlreadyExists,
  GetExecutionHistoryCommand,
  InvalidName,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
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
  // A function to invoke: echoes its event and its environment, or fails on request.
  const dir = mkdtempSync(join(tmpdir(), 'stepship-fn-'));
  writeFileSync(
    join(dir, 'index.mjs'),
    "export const handler = async (event) => { if (event?.fail) { const e = new Error('it failed as asked'); e.name = 'AskedToFailError'; throw e; } console.log('event', JSON.stringify(event)); return { echo: event, greeting: process.env.GREETING }; };",
  );
  cloud.lambda.create({
    name: 'echo',
    arn: `arn:aws:lambda:us-east-1:${cloud.accountId}:function:echo`,
    bundle: join(dir, 'index.mjs'),
    handlerName: 'handler',
    environment: { GREETING: 'hello' },
    timeoutSeconds: 5,
    logGroup: '/aws/lambda/echo',
  });
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

describe('Lambda, EventBridge and CloudWatch Logs through the SDK', () => {
  it('invokes a function with its environment, and reports function errors as Lambda does', async () => {
    const lambda = new LambdaClient(config);
    const ok = await lambda.send(
      new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{"a":1}') }),
    );
    expect(JSON.parse(Buffer.from(ok.Payload ?? []).toString())).toEqual({
      echo: { a: 1 },
      greeting: 'hello',
    });
    const failed = await lambda.send(
      new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{"fail":true}') }),
    );
    expect(failed.FunctionError).toBe('Unhandled');
    expect(JSON.parse(Buffer.from(failed.Payload ?? []).toString())).toMatchObject({
      errorType: 'AskedToFailError',
      errorMessage: 'it failed as asked',
    });
    await expect(lambda.send(new InvokeCommand({ FunctionName: 'ghost' }))).rejects.toBeInstanceOf(
      FunctionNotFound,
    );
  });

  it('delivers matching events to a rule target, and not others', async () => {
    const events = new EventBridgeClient(config);
    await events.send(
      new PutRuleCommand({
        Name: 'pushes',
        EventPattern: JSON.stringify({
          source: ['aws.ecr'],
          detail: { 'image-tag': [{ 'anything-but': { prefix: 'stepship-' } }] },
        }),
      }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: 'pushes',
        Targets: [{ Id: 'echo', Arn: `arn:aws:lambda:us-east-1:${cloud.accountId}:function:echo` }],
      }),
    );
    expect((await events.send(new ListRulesCommand({ NamePrefix: 'push' }))).Rules?.[0]?.Name).toBe('pushes');
    const before = cloud.events.delivered.length;
    await events.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'aws.ecr',
            DetailType: 'ECR Image Action',
            Detail: JSON.stringify({ 'image-tag': 'v9' }),
          },
        ],
      }),
    );
    await events.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'aws.ecr',
            DetailType: 'ECR Image Action',
            Detail: JSON.stringify({ 'image-tag': 'stepship-build' }),
          },
        ],
      }),
    );
    expect(cloud.events.delivered.slice(before).map((d) => d.event.detail)).toEqual([{ 'image-tag': 'v9' }]);
    const logs = new CloudWatchLogsClient(config);
    const found = await eventually('the event in the function log', async () => {
      const out = await logs.send(
        new FilterLogEventsCommand({ logGroupName: '/aws/lambda/echo', filterPattern: 'v9' }),
      );
      return out.events?.length ? out.events : undefined;
    });
    expect(found[0]?.message).toContain('"image-tag":"v9"');
  });
});

describe('Step Functions through the SDK', () => {
  const sfn = () => new SFNClient(config);
  const definition = JSON.stringify({
    StartAt: 'Echo',
    States: {
      Echo: {
        Type: 'Task',
        Resource: `arn:aws:lambda:us-east-1:${cloud?.accountId ?? '000000000000'}:function:echo`,
        ResultPath: '$.echo',
        Next: 'Hold?',
      },
      'Hold?': {
        Type: 'Choice',
        Choices: [{ Variable: '$.hold', BooleanEquals: true, Next: 'Hold' }],
        Default: 'Done',
      },
      Hold: { Type: 'Wait', Seconds: 30, Next: 'Done' },
      Done: { Type: 'Succeed' },
    },
  });

  it('creates a state machine and runs executions with AWS-shaped history', async () => {
    const created = await sfn().send(
      new CreateStateMachineCommand({
        name: 'api',
        definition,
        roleArn: 'arn:aws:iam::000000000000:role/sfn',
      }),
    );
    expect(
      (await sfn().send(new DescribeStateMachineCommand({ stateMachineArn: created.stateMachineArn })))
        .definition,
    ).toBe(definition);
    expect((await sfn().send(new ListStateMachinesCommand({}))).stateMachines?.map((m) => m.name)).toContain(
      'api',
    );
    const started = await sfn().send(
      new StartExecutionCommand({
        stateMachineArn: created.stateMachineArn,
        name: 'run-1',
        input: '{"hold":false}',
      }),
    );
    const done = await eventually('the execution to end', async () => {
      const e = await sfn().send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
      return e.status === 'RUNNING' ? undefined : e;
    });
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output ?? '{}')).toMatchObject({
      echo: { echo: { hold: false }, greeting: 'hello' },
    });
    const history =
      (await sfn().send(new GetExecutionHistoryCommand({ executionArn: started.executionArn }))).events ?? [];
    expect(history.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'ChoiceStateEntered',
      'ChoiceStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    expect(history.map((e) => [e.id, e.previousEventId])).toEqual(history.map((_, i) => [i + 1, i]));
    await expect(
      sfn().send(
        new StartExecutionCommand({
          stateMachineArn: created.stateMachineArn,
          name: 'run-1',
          input: '{"hold":true}',
        }),
      ),
    ).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    await expect(
      sfn().send(new StartExecutionCommand({ stateMachineArn: created.stateMachineArn, name: 'bad name!' })),
    ).rejects.toBeInstanceOf(InvalidName);
    await expect(
      sfn().send(new StartExecutionCommand({ stateMachineArn: `${created.stateMachineArn}x` })),
    ).rejects.toBeInstanceOf(StateMachineDoesNotExist);
  });

  it('lists and stops executions', async () => {
    const arn = `arn:aws:states:us-east-1:${cloud.accountId}:stateMachine:api`;
    const held = await sfn().send(
      new StartExecutionCommand({ stateMachineArn: arn, name: 'run-2', input: '{"hold":true}' }),
    );
    await eventually('the execution to wait', async () =>
      (await sfn().send(new GetExecutionHistoryCommand({ executionArn: held.executionArn }))).events?.some(
        (e) => e.type === 'WaitStateEntered',
      )
        ? true
        : undefined,
    );
    expect(
      (
        await sfn().send(new ListExecutionsCommand({ stateMachineArn: arn, statusFilter: 'RUNNING' }))
      ).executions?.map((e) => e.name),
    ).toEqual(['run-2']);
    await sfn().send(
      new StopExecutionCommand({ executionArn: held.executionArn, error: 'Stopped', cause: 'by the test' }),
    );
    const stopped = await sfn().send(new DescribeExecutionCommand({ executionArn: held.executionArn }));
    expect(stopped).toMatchObject({ status: 'ABORTED', error: 'Stopped', cause: 'by the test' });
  });
});

describe('DynamoDB through the same endpoint', () => {
  it('is a real DynamoDB implementation (dynalite)', async () => {
    const ddb = new DynamoDBClient(config);
    await ddb.send(
      new CreateTableCommand({
        TableName: 'api-table',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );
    expect((await ddb.send(new ListTablesCommand({}))).TableNames).toContain('api-table');
  });
});
