import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DescribeLogGroupsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { CodeBuildClient, ListProjectsCommand } from '@aws-sdk/client-codebuild';
import {
  CreateTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  ListImagesCommand,
} from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  ListClustersCommand,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { EventBridgeClient, ListRulesCommand, PutRuleCommand } from '@aws-sdk/client-eventbridge';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateSecretCommand,
  ListSecretsCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  CreateStateMachineCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { DescribeParametersCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';

/** Names of what the hostile suite sets up to aim at (and to see unchanged). */
export const FIXTURE = {
  cluster: 'hostile',
  family: 'hostile-web',
  service: 'hostile-web',
  repository: 'hostile/repo',
  targetGroup: 'hostile-tg',
  table: 'hostile-table',
  machine: 'hostile-machine',
  parameter: '/hostile/parameter',
  secret: 'hostile/secret',
  logGroup: '/hostile/logs',
  rule: 'hostile-rule',
  bucket: 'hostile-bucket',
} as const;

export interface FixtureClients {
  ecs: ECSClient;
  ecr: ECRClient;
  elbv2: ElasticLoadBalancingV2Client;
  dynamodb: DynamoDBClient;
  sfn: SFNClient;
  ssm: SSMClient;
  secrets: SecretsManagerClient;
  logs: CloudWatchLogsClient;
  events: EventBridgeClient;
  codebuild: CodeBuildClient;
  lambda: LambdaClient;
  s3: S3Client;
  cloudformation: CloudFormationClient;
}

export function fixtureClients(
  endpoint: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
): FixtureClients {
  const config = { endpoint, region: 'us-east-1', credentials, maxAttempts: 1 };
  return {
    ecs: new ECSClient(config),
    ecr: new ECRClient(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
    dynamodb: new DynamoDBClient(config),
    sfn: new SFNClient(config),
    ssm: new SSMClient(config),
    secrets: new SecretsManagerClient(config),
    logs: new CloudWatchLogsClient(config),
    events: new EventBridgeClient(config),
    codebuild: new CodeBuildClient(config),
    lambda: new LambdaClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
    cloudformation: new CloudFormationClient(config),
  };
}

export function destroyClients(clients: FixtureClients): void {
  for (const client of Object.values(clients)) client.destroy();
}

/** One of each thing the hostile requests aim at, so that "nothing changed" covers existing resources too. */
export async function createFixture(
  c: FixtureClients,
): Promise<{ targetGroupArn: string; machineArn: string }> {
  await c.ecs.send(new CreateClusterCommand({ clusterName: FIXTURE.cluster }));
  await c.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: FIXTURE.family,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: 'web',
          image: 'public.ecr.aws/docker/library/node:22',
          portMappings: [{ containerPort: 3000 }],
        },
      ],
    }),
  );
  await c.ecs.send(
    new CreateServiceCommand({
      cluster: FIXTURE.cluster,
      serviceName: FIXTURE.service,
      taskDefinition: FIXTURE.family,
      desiredCount: 0,
    }),
  );
  await c.ecr.send(new CreateRepositoryCommand({ repositoryName: FIXTURE.repository }));
  const balancer = await c.elbv2.send(
    new CreateLoadBalancerCommand({ Name: 'hostile-lb', Subnets: ['subnet-1', 'subnet-2'] }),
  );
  await c.elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: balancer.LoadBalancers?.[0]?.LoadBalancerArn,
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [
        {
          Type: 'fixed-response',
          FixedResponseConfig: { StatusCode: '200', ContentType: 'text/plain', MessageBody: 'ok' },
        },
      ],
    }),
  );
  const group = await c.elbv2.send(
    new CreateTargetGroupCommand({
      Name: FIXTURE.targetGroup,
      Protocol: 'HTTP',
      Port: 80,
      VpcId: 'vpc-1',
      TargetType: 'ip',
    }),
  );
  await c.dynamodb.send(
    new CreateTableCommand({
      TableName: FIXTURE.table,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await c.dynamodb.send(new PutItemCommand({ TableName: FIXTURE.table, Item: { pk: { S: 'one' } } }));
  const machine = await c.sfn.send(
    new CreateStateMachineCommand({
      name: FIXTURE.machine,
      roleArn: 'arn:aws:iam::000000000000:role/hostile',
      definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }),
    }),
  );
  await c.ssm.send(new PutParameterCommand({ Name: FIXTURE.parameter, Value: 'v', Type: 'String' }));
  await c.secrets.send(new CreateSecretCommand({ Name: FIXTURE.secret, SecretString: 's' }));
  await c.logs.send(new CreateLogGroupCommand({ logGroupName: FIXTURE.logGroup }));
  await c.events.send(
    new PutRuleCommand({ Name: FIXTURE.rule, EventPattern: JSON.stringify({ source: ['hostile'] }) }),
  );
  await c.s3.send(new CreateBucketCommand({ Bucket: FIXTURE.bucket }));
  return {
    targetGroupArn: group.TargetGroups?.[0]?.TargetGroupArn ?? '',
    machineArn: machine.stateMachineArn ?? '',
  };
}

/**
 * What the local cloud holds, as its own APIs list it: the same before and
 * after a refused request means the request changed nothing.
 */
export async function stateOf(
  c: FixtureClients,
  fixture: { targetGroupArn: string; machineArn: string },
): Promise<unknown> {
  const [
    clusters,
    services,
    service,
    definitions,
    repositories,
    images,
    groups,
    health,
    tables,
    items,
    machines,
    executions,
    parameters,
    secrets,
    logGroups,
    rules,
    projects,
    buckets,
    functions,
  ] = await Promise.all([
    c.ecs.send(new ListClustersCommand({})),
    c.ecs.send(new ListServicesCommand({ cluster: FIXTURE.cluster })),
    c.ecs.send(new DescribeServicesCommand({ cluster: FIXTURE.cluster, services: [FIXTURE.service] })),
    c.ecs.send(new ListTaskDefinitionsCommand({ status: 'ACTIVE' })),
    c.ecr.send(new DescribeRepositoriesCommand({})),
    c.ecr.send(new ListImagesCommand({ repositoryName: FIXTURE.repository })),
    c.elbv2.send(new DescribeTargetGroupsCommand({})),
    c.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: fixture.targetGroupArn })),
    c.dynamodb.send(new ListTablesCommand({})),
    c.dynamodb.send(new ScanCommand({ TableName: FIXTURE.table })),
    c.sfn.send(new ListStateMachinesCommand({})),
    c.sfn.send(new ListExecutionsCommand({ stateMachineArn: fixture.machineArn })),
    c.ssm.send(new DescribeParametersCommand({})),
    c.secrets.send(new ListSecretsCommand({})),
    c.logs.send(new DescribeLogGroupsCommand({})),
    c.events.send(new ListRulesCommand({})),
    c.codebuild.send(new ListProjectsCommand({})),
    c.s3.send(new ListBucketsCommand({})),
    c.lambda.send(new ListFunctionsCommand({})),
  ]);
  const svc = service.services?.[0];
  return {
    clusters: clusters.clusterArns,
    services: services.serviceArns,
    service: svc && {
      desiredCount: svc.desiredCount,
      taskDefinition: svc.taskDefinition,
      deployments: svc.deployments?.map((d) => d.id),
      loadBalancers: svc.loadBalancers,
    },
    definitions: definitions.taskDefinitionArns,
    repositories: repositories.repositories?.map((r) => [r.repositoryName, r.imageTagMutability]),
    images: images.imageIds,
    groups: groups.TargetGroups?.map((g) => [
      g.TargetGroupName,
      g.Port,
      g.HealthCheckPath,
      g.HealthCheckIntervalSeconds,
    ]),
    health: health.TargetHealthDescriptions,
    tables: tables.TableNames,
    items: items.Items,
    machines: machines.stateMachines?.map((m) => m.name),
    executions: executions.executions?.length,
    parameters: parameters.Parameters?.map((p) => [p.Name, p.Version]),
    secrets: secrets.SecretList?.map((s) => s.Name),
    logGroups: logGroups.logGroups?.map((g) => g.logGroupName),
    rules: rules.Rules?.map((r) => [r.Name, r.EventPattern]),
    projects: projects.projects,
    buckets: buckets.Buckets?.map((b) => b.Name),
    functions: functions.Functions?.map((f) => f.FunctionName),
  };
}
