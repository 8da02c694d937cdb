import { describe, expect, it } from '@jest/globals';
import { JSON_RULES, QUERY_RULES, REST_RULES } from '../../local/iam/requests/catalog.js';
import type { Check } from '../../local/iam/requests/rules.js';

const scope = { accountId: '123456789012', region: 'us-east-1' };
const A = `${scope.region}:${scope.accountId}`;
const CLUSTER = `arn:aws:ecs:${A}:cluster/stepship-web`;

function json(target: string, operation: string, input: Record<string, unknown>): Check[] {
  const service = JSON_RULES.get(target);
  if (!service) throw new Error(`no rules for ${target}`);
  return service.rules.checks(operation, input, scope);
}
const ecs = (operation: string, input: Record<string, unknown>) =>
  json('AmazonEC2ContainerServiceV20141113', operation, input);
const dynamodb = (operation: string, input: Record<string, unknown>) =>
  json('DynamoDB_20120810', operation, input);
const sfn = (operation: string, input: Record<string, unknown>) => json('AWSStepFunctions', operation, input);
const logs = (operation: string, input: Record<string, unknown>) => json('Logs_20140328', operation, input);
const rest = (service: string, method: string, path: string, headers: Record<string, unknown> = {}) =>
  REST_RULES.get(service)?.(method, new URL(path, 'http://127.0.0.1:4566'), headers, scope);

describe('what the calls stepship’s functions make act on (Service Authorization Reference)', () => {
  it.each<[string, Check[], Check[]]>([
    [
      'ECS DescribeServices: each service, with its cluster',
      ecs('DescribeServices', {
        cluster: 'stepship-web',
        services: ['web', `arn:aws:ecs:${A}:service/stepship-web/api`],
      }),
      [
        {
          action: 'ecs:DescribeServices',
          resource: `arn:aws:ecs:${A}:service/stepship-web/web`,
          context: { 'ecs:cluster': CLUSTER },
        },
        {
          action: 'ecs:DescribeServices',
          resource: `arn:aws:ecs:${A}:service/stepship-web/api`,
          context: { 'ecs:cluster': CLUSTER },
        },
      ],
    ],
    [
      'ECS UpdateService: the service, with its cluster and the new task definition',
      ecs('UpdateService', { cluster: CLUSTER, service: 'web', taskDefinition: 'web:7' }),
      [
        {
          action: 'ecs:UpdateService',
          resource: `arn:aws:ecs:${A}:service/stepship-web/web`,
          context: {
            'ecs:cluster': CLUSTER,
            'ecs:task-definition': `arn:aws:ecs:${A}:task-definition/web:7`,
          },
        },
      ],
    ],
    [
      'ECS RunTask (stepship run): the revision it runs, in its cluster',
      ecs('RunTask', { cluster: CLUSTER, taskDefinition: 'web:7' }),
      [
        {
          action: 'ecs:RunTask',
          resource: `arn:aws:ecs:${A}:task-definition/web:7`,
          context: { 'ecs:cluster': CLUSTER },
        },
      ],
    ],
    [
      'ECS DescribeContainerInstances (VerifyTargets on EC2): each instance by ARN, with its cluster',
      ecs('DescribeContainerInstances', { cluster: CLUSTER, containerInstances: ['0123abcd'] }),
      [
        {
          action: 'ecs:DescribeContainerInstances',
          resource: `arn:aws:ecs:${A}:container-instance/stepship-web/0123abcd`,
          context: { 'ecs:cluster': CLUSTER },
        },
      ],
    ],
    [
      'ECS RunTask of a bare family: any of its revisions',
      ecs('RunTask', { taskDefinition: 'web' }),
      [
        {
          action: 'ecs:RunTask',
          resource: `arn:aws:ecs:${A}:task-definition/web:*`,
          context: { 'ecs:cluster': `arn:aws:ecs:${A}:cluster/default` },
        },
      ],
    ],
    [
      'ECS DescribeTaskDefinition: no resource-level permission',
      ecs('DescribeTaskDefinition', { taskDefinition: 'web:7' }),
      [{ action: 'ecs:DescribeTaskDefinition', resource: '*' }],
    ],
    [
      'ECS RegisterTaskDefinition: the family, and iam:PassRole of each role to ECS tasks',
      ecs('RegisterTaskDefinition', {
        family: 'web',
        cpu: '256',
        memory: '512',
        taskRoleArn: `arn:aws:iam::${scope.accountId}:role/task`,
        executionRoleArn: `arn:aws:iam::${scope.accountId}:role/execution`,
        containerDefinitions: [],
      }),
      [
        {
          action: 'ecs:RegisterTaskDefinition',
          resource: `arn:aws:ecs:${A}:task-definition/web:*`,
          context: { 'ecs:task-cpu': '256', 'ecs:task-memory': '512' },
        },
        {
          action: 'iam:PassRole',
          resource: `arn:aws:iam::${scope.accountId}:role/task`,
          context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
        },
        {
          action: 'iam:PassRole',
          resource: `arn:aws:iam::${scope.accountId}:role/execution`,
          context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
        },
      ],
    ],
    [
      'ECS ListTasks: * with the cluster (the default cluster when none is named)',
      [...ecs('ListTasks', { cluster: 'stepship-web', serviceName: 'web' }), ...ecs('ListTasks', {})],
      [
        { action: 'ecs:ListTasks', resource: '*', context: { 'ecs:cluster': CLUSTER } },
        {
          action: 'ecs:ListTasks',
          resource: '*',
          context: { 'ecs:cluster': `arn:aws:ecs:${A}:cluster/default` },
        },
      ],
    ],
    [
      'ECS DescribeTasks: each task, by id or ARN, with its cluster',
      ecs('DescribeTasks', {
        cluster: 'stepship-web',
        tasks: ['0a1b', `arn:aws:ecs:${A}:task/stepship-web/2c3d`],
      }),
      [
        {
          action: 'ecs:DescribeTasks',
          resource: `arn:aws:ecs:${A}:task/stepship-web/0a1b`,
          context: { 'ecs:cluster': CLUSTER },
        },
        {
          action: 'ecs:DescribeTasks',
          resource: `arn:aws:ecs:${A}:task/stepship-web/2c3d`,
          context: { 'ecs:cluster': CLUSTER },
        },
      ],
    ],
    [
      'ECR DescribeImages: the repository (in the registry named, else the caller’s)',
      [
        ...json('AmazonEC2ContainerRegistry_V20150921', 'DescribeImages', { repositoryName: 'web' }),
        ...json('AmazonEC2ContainerRegistry_V20150921', 'DescribeImages', {
          repositoryName: 'web',
          registryId: '210987654321',
        }),
      ],
      [
        { action: 'ecr:DescribeImages', resource: `arn:aws:ecr:${A}:repository/web` },
        { action: 'ecr:DescribeImages', resource: 'arn:aws:ecr:us-east-1:210987654321:repository/web' },
      ],
    ],
    [
      'ELBv2 DescribeTargetHealth: no resource-level permission',
      QUERY_RULES.get('elasticloadbalancing')?.rules.checks(
        'DescribeTargetHealth',
        { TargetGroupArn: 'arn:x' },
        scope,
      ) ?? [],
      [{ action: 'elasticloadbalancing:DescribeTargetHealth', resource: '*' }],
    ],
    [
      'ELBv2 RegisterTargets: the target group',
      QUERY_RULES.get('elasticloadbalancing')?.rules.checks(
        'RegisterTargets',
        { TargetGroupArn: `arn:aws:elasticloadbalancing:${A}:targetgroup/web/0123` },
        scope,
      ) ?? [],
      [
        {
          action: 'elasticloadbalancing:RegisterTargets',
          resource: `arn:aws:elasticloadbalancing:${A}:targetgroup/web/0123`,
        },
      ],
    ],
    [
      'DynamoDB GetItem, PutItem, UpdateItem, DeleteItem: the table, with their request keys',
      [
        ...dynamodb('GetItem', { TableName: 'records', Key: {} }),
        ...dynamodb('PutItem', { TableName: 'records', Item: {}, ReturnValues: 'ALL_OLD' }),
        ...dynamodb('UpdateItem', { TableName: `arn:aws:dynamodb:${A}:table/records`, Key: {} }),
        ...dynamodb('DeleteItem', { TableName: 'records', Key: {}, ReturnConsumedCapacity: 'TOTAL' }),
      ],
      [
        { action: 'dynamodb:GetItem', resource: `arn:aws:dynamodb:${A}:table/records` },
        {
          action: 'dynamodb:PutItem',
          resource: `arn:aws:dynamodb:${A}:table/records`,
          context: { 'dynamodb:ReturnValues': 'ALL_OLD' },
        },
        { action: 'dynamodb:UpdateItem', resource: `arn:aws:dynamodb:${A}:table/records` },
        {
          action: 'dynamodb:DeleteItem',
          resource: `arn:aws:dynamodb:${A}:table/records`,
          context: { 'dynamodb:ReturnConsumedCapacity': 'TOTAL' },
        },
      ],
    ],
    [
      'DynamoDB Query: the index when it names one (by table name or ARN), else the table',
      [
        ...dynamodb('Query', { TableName: 'records', IndexName: 'by-service' }),
        ...dynamodb('Query', { TableName: `arn:aws:dynamodb:${A}:table/records`, IndexName: 'by-service' }),
        ...dynamodb('Query', { TableName: 'records', Select: 'COUNT' }),
      ],
      [
        { action: 'dynamodb:Query', resource: `arn:aws:dynamodb:${A}:table/records/index/by-service` },
        { action: 'dynamodb:Query', resource: `arn:aws:dynamodb:${A}:table/records/index/by-service` },
        {
          action: 'dynamodb:Query',
          resource: `arn:aws:dynamodb:${A}:table/records`,
          context: { 'dynamodb:Select': 'COUNT' },
        },
      ],
    ],
    [
      'DynamoDB BatchWriteItem: each table it writes',
      dynamodb('BatchWriteItem', { RequestItems: { a: [], b: [] } }),
      [
        { action: 'dynamodb:BatchWriteItem', resource: `arn:aws:dynamodb:${A}:table/a` },
        { action: 'dynamodb:BatchWriteItem', resource: `arn:aws:dynamodb:${A}:table/b` },
      ],
    ],
    [
      'DynamoDB ListTables: *',
      dynamodb('ListTables', {}),
      [{ action: 'dynamodb:ListTables', resource: '*' }],
    ],
    [
      'Step Functions StartExecution: the state machine',
      sfn('StartExecution', { stateMachineArn: `arn:aws:states:${A}:stateMachine:deploy`, input: '{}' }),
      [{ action: 'states:StartExecution', resource: `arn:aws:states:${A}:stateMachine:deploy` }],
    ],
    [
      'Step Functions DescribeExecution and GetExecutionHistory: the execution',
      [
        ...sfn('DescribeExecution', { executionArn: `arn:aws:states:${A}:execution:deploy:run-1` }),
        ...sfn('GetExecutionHistory', { executionArn: `arn:aws:states:${A}:execution:deploy:run-1` }),
      ],
      [
        { action: 'states:DescribeExecution', resource: `arn:aws:states:${A}:execution:deploy:run-1` },
        { action: 'states:GetExecutionHistory', resource: `arn:aws:states:${A}:execution:deploy:run-1` },
      ],
    ],
    [
      'CloudWatch Logs: streams on the stream, group-level actions on the group’s empty stream',
      [
        ...logs('CreateLogStream', { logGroupName: '/aws/lambda/x', logStreamName: 's' }),
        ...logs('PutLogEvents', { logGroupName: '/aws/lambda/x', logStreamName: 's', logEvents: [] }),
        ...logs('CreateLogGroup', { logGroupName: '/aws/lambda/x' }),
        ...logs('FilterLogEvents', { logGroupIdentifier: `arn:aws:logs:${A}:log-group:/aws/lambda/x:*` }),
      ],
      [
        {
          action: 'logs:CreateLogStream',
          resource: `arn:aws:logs:${A}:log-group:/aws/lambda/x:log-stream:s`,
        },
        { action: 'logs:PutLogEvents', resource: `arn:aws:logs:${A}:log-group:/aws/lambda/x:log-stream:s` },
        { action: 'logs:CreateLogGroup', resource: `arn:aws:logs:${A}:log-group:/aws/lambda/x:log-stream:` },
        { action: 'logs:FilterLogEvents', resource: `arn:aws:logs:${A}:log-group:/aws/lambda/x:log-stream:` },
      ],
    ],
    [
      'S3 GetObject (and HEAD) and PutObject: the object; a copy reads its source',
      [
        ...(rest('s3', 'GET', '/sources/app%20v2.zip') ?? []),
        ...(rest('s3', 'HEAD', '/sources/a.zip') ?? []),
        ...(rest('s3', 'PUT', '/sources/b.zip', { 'x-amz-copy-source': '/sources/a.zip' }) ?? []),
      ],
      [
        { action: 's3:GetObject', resource: 'arn:aws:s3:::sources/app v2.zip' },
        { action: 's3:GetObject', resource: 'arn:aws:s3:::sources/a.zip' },
        { action: 's3:PutObject', resource: 'arn:aws:s3:::sources/b.zip' },
        { action: 's3:GetObject', resource: 'arn:aws:s3:::sources/a.zip' },
      ],
    ],
    [
      'S3 listing: the bucket, with its prefix',
      rest('s3', 'GET', '/sources?list-type=2&prefix=web/') ?? [],
      [{ action: 's3:ListBucket', resource: 'arn:aws:s3:::sources', context: { 's3:prefix': 'web/' } }],
    ],
    [
      'Lambda Invoke: the function (its version or alias when qualified)',
      [
        ...(rest('lambda', 'POST', '/2015-03-31/functions/start-deployment/invocations') ?? []),
        ...(rest('lambda', 'POST', '/2015-03-31/functions/start-deployment/invocations?Qualifier=live') ??
          []),
      ],
      [
        { action: 'lambda:InvokeFunction', resource: `arn:aws:lambda:${A}:function:start-deployment` },
        { action: 'lambda:InvokeFunction', resource: `arn:aws:lambda:${A}:function:start-deployment:live` },
      ],
    ],
  ])('%s', (_name, checks, expected) => {
    expect(checks).toEqual(expected);
  });
});

describe('requests the table cannot place', () => {
  it('checks an operation without a rule against *', () => {
    expect(ecs('ListClusters', {})).toEqual([{ action: 'ecs:ListClusters', resource: '*' }]);
    expect(json('secretsmanager', 'GetSecretValue', { SecretId: 'db' })).toEqual([
      { action: 'secretsmanager:GetSecretValue', resource: '*' },
    ]);
  });

  it.each<[string, Record<string, unknown>]>([
    ['no service named', { cluster: 'stepship-web' }],
    ['a service that is not a string', { service: 42 }],
  ])('checks a malformed UpdateService (%s) against *, never crashing', (_name, input) => {
    expect(ecs('UpdateService', input)).toEqual([{ action: 'ecs:UpdateService', resource: '*' }]);
  });

  it('keeps a malformed escape in an S3 key as sent, never crashing', () => {
    expect(rest('s3', 'GET', '/sources/%E0%A4%A')).toEqual([
      { action: 's3:GetObject', resource: 'arn:aws:s3:::sources/%E0%A4%A' },
    ]);
  });

  it('checks DescribeTasks with a non-list of tasks against *', () => {
    expect(ecs('DescribeTasks', { tasks: 'abc' })).toEqual([{ action: 'ecs:DescribeTasks', resource: '*' }]);
  });
});
