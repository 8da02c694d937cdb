import { type CaseRow, cases, json, nested } from './case.js';

const ECS = 'AmazonEC2ContainerServiceV20141113';
const ECR = 'AmazonEC2ContainerRegistry_V20150921';
const CODEBUILD = 'CodeBuild_20161006';
const LOGS = 'Logs_20140328';
const SFN = 'AWSStepFunctions';
const ecs = (op: string, body: unknown) => json('ecs', `${ECS}.${op}`, body);
const ecr = (op: string, body: unknown) => json('ecr', `${ECR}.${op}`, body);
const codebuild = (op: string, body: unknown) => json('codebuild', `${CODEBUILD}.${op}`, body);
const events = (op: string, body: unknown) => json('events', `AWSEvents.${op}`, body);
const logs = (op: string, body: unknown) => json('logs', `${LOGS}.${op}`, body);
const sfn = (op: string, body: unknown) => json('states', `${SFN}.${op}`, body, '1.0');
const ssm = (op: string, body: unknown) => json('ssm', `AmazonSSM.${op}`, body);
const secrets = (op: string, body: unknown) => json('secretsmanager', `secretsmanager.${op}`, body);

const taskDefinition = (port: Record<string, unknown>) => ({
  family: 'hostile-ports',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  containerDefinitions: [{ name: 'web', image: 'node:22', portMappings: [port] }],
});
const ZERO_DIGEST = `sha256:${'0'.repeat(64)}`;

/** Every JSON-protocol service the endpoint serves, each with what a client could get wrong. */
const rows: CaseRow[] = [
  // Bodies that are not a JSON object
  ['ECS: a body that is not JSON', ecs('CreateCluster', '{"clusterName":'), 400, 'SerializationException'],
  ['ECS: a JSON list for a body', ecs('CreateCluster', '[]'), 400, 'SerializationException'],
  ['ECS: a JSON string for a body', ecs('CreateCluster', '"evil"'), 400, 'SerializationException'],
  [
    'ECS: bytes that are not UTF-8',
    ecs('ListClusters', Buffer.from([0xff, 0xfe, 0x7b, 0x00])),
    400,
    'SerializationException',
  ],
  ['ECR: a body that is not JSON', ecr('CreateRepository', '{{{'), 400, 'SerializationException'],
  ['CodeBuild: a body that is not JSON', codebuild('CreateProject', 'nope'), 400, 'SerializationException'],
  ['EventBridge: a body that is not JSON', events('PutRule', '{"Name":}'), 400, 'SerializationException'],
  ['Logs: a body that is not JSON', logs('CreateLogGroup', '{'), 400, 'SerializationException'],
  ['Step Functions: a body that is not JSON', sfn('CreateStateMachine', '}'), 400, 'SerializationException'],
  ['SSM: a body that is not JSON', ssm('PutParameter', 'null x'), 400, 'SerializationException'],
  ['Secrets Manager: a body that is not JSON', secrets('CreateSecret', '['), 400, 'SerializationException'],

  // Operation names that are the prototype's members, or nothing
  ['ECS: operation "constructor"', ecs('constructor', {}), 400, 'UnknownOperationException'],
  ['ECS: operation "__proto__"', ecs('__proto__', {}), 400, 'UnknownOperationException'],
  ['ECS: operation "hasOwnProperty"', ecs('hasOwnProperty', {}), 400, 'UnknownOperationException'],
  ['ECS: a target with no operation', json('ecs', ECS, {}), 400, 'UnknownOperationException'],
  ['ECR: operation "toString"', ecr('toString', {}), 400, 'UnknownOperationException'],
  ['CodeBuild: operation "__proto__"', codebuild('__proto__', {}), 400, 'UnknownOperationException'],
  ['EventBridge: operation "constructor"', events('constructor', {}), 400, 'UnknownOperationException'],
  ['Logs: operation "valueOf"', logs('valueOf', {}), 400, 'UnknownOperationException'],
  [
    'Step Functions: operation "__defineGetter__"',
    sfn('__defineGetter__', {}),
    400,
    'UnknownOperationException',
  ],
  ['SSM: operation "constructor"', ssm('constructor', {}), 400, 'UnknownOperationException'],
  ['Secrets Manager: operation "__proto__"', secrets('__proto__', {}), 400, 'UnknownOperationException'],
  ['an unknown target prefix', json('ecs', 'Evil_20990101.Run', {}), 400, 'UnknownOperationException'],

  // Members of the wrong type, prototype keys, deep nesting
  [
    'ECS: a number for the cluster name',
    ecs('CreateCluster', { clusterName: 123 }),
    400,
    'SerializationException',
  ],
  [
    'ECS: a string for the desired count',
    ecs('CreateService', {
      cluster: 'hostile',
      serviceName: 'x',
      taskDefinition: 'hostile-web',
      desiredCount: '2',
    }),
    400,
    'SerializationException',
  ],
  [
    'ECS: a required member hidden in __proto__',
    ecs(
      'CreateService',
      '{"cluster":"hostile","__proto__":{"serviceName":"evil","taskDefinition":"hostile-web"}}',
    ),
    400,
    'InvalidParameterException',
  ],
  [
    'ECS: a required member under "constructor"',
    ecs(
      'CreateService',
      '{"cluster":"hostile","constructor":{"serviceName":"evil"},"taskDefinition":"hostile-web"}',
    ),
    400,
    'InvalidParameterException',
  ],
  [
    'ECS: 100,000 levels of nesting',
    ecs('CreateCluster', `{"clusterName":"x","settings":[${nested(100_000)}]}`),
    400,
    'SerializationException',
  ],
  [
    'ECS: a list where a structure belongs',
    ecs('CreateService', {
      cluster: 'hostile',
      serviceName: 'x',
      taskDefinition: 'hostile-web',
      deploymentConfiguration: [],
    }),
    400,
    'SerializationException',
  ],
  [
    'ECR: an object for the repository name',
    ecr('CreateRepository', { repositoryName: { toString: 'x' } }),
    400,
    'SerializationException',
  ],
  [
    'Logs: a string for an event timestamp',
    logs('PutLogEvents', {
      logGroupName: '/hostile/logs',
      logStreamName: 's',
      logEvents: [{ timestamp: 'now', message: 'x' }],
    }),
    400,
    'SerializationException',
  ],
  [
    'Logs: a tag map keyed "__proto__"',
    logs('CreateLogGroup', '{"logGroupName":"/hostile/logs","tags":{"__proto__":"x"}}'),
    400,
    'ResourceAlreadyExistsException',
  ],
  [
    'Logs: a tag map keyed "__proto__" holding a structure',
    logs('CreateLogGroup', '{"logGroupName":"/hostile/proto","tags":{"__proto__":{"polluted":"yes"}}}'),
    400,
    'SerializationException',
  ],
  [
    'Step Functions: a boolean for the input',
    sfn('StartExecution', {
      stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:hostile-machine',
      input: true,
    }),
    400,
    'SerializationException',
  ],

  // Numbers out of range
  [
    'ECS: desired count −1',
    ecs('CreateService', {
      cluster: 'hostile',
      serviceName: 'neg',
      taskDefinition: 'hostile-web',
      desiredCount: -1,
    }),
    400,
    'InvalidParameterException',
  ],
  [
    'ECS: desired count 1e308',
    ecs('CreateService', {
      cluster: 'hostile',
      serviceName: 'huge',
      taskDefinition: 'hostile-web',
      desiredCount: 1e308,
    }),
    400,
    'InvalidParameterException',
  ],
  [
    'ECS: desired count 2.5',
    ecs('UpdateService', { cluster: 'hostile', service: 'hostile-web', desiredCount: 2.5 }),
    400,
    'InvalidParameterException',
  ],
  [
    'ECS: desired count 99,999',
    ecs('UpdateService', { cluster: 'hostile', service: 'hostile-web', desiredCount: 99_999 }),
    400,
    'InvalidParameterException',
  ],
  [
    'ECS: a container port of 70000',
    ecs('RegisterTaskDefinition', taskDefinition({ containerPort: 70_000 })),
    400,
    'ClientException',
  ],
  [
    'ECS: a container port of −1',
    ecs('RegisterTaskDefinition', taskDefinition({ containerPort: -1 })),
    400,
    'ClientException',
  ],
  [
    'ECS: a host port of 70000',
    ecs('RegisterTaskDefinition', taskDefinition({ containerPort: 80, hostPort: 70_000 })),
    400,
    'ClientException',
  ],
  [
    'ECS: a service on container port 70000',
    ecs('CreateService', {
      cluster: 'hostile',
      serviceName: 'lb',
      taskDefinition: 'hostile-web',
      loadBalancers: [
        {
          targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/hostile-tg/1',
          containerName: 'web',
          containerPort: 70_000,
        },
      ],
    }),
    400,
    'InvalidParameterException',
  ],
  [
    'ECS: a grace period of −5',
    ecs('UpdateService', { cluster: 'hostile', service: 'hostile-web', healthCheckGracePeriodSeconds: -5 }),
    400,
    'InvalidParameterException',
  ],
  [
    'ECS: maximumPercent 1e9 and minimumHealthyPercent −1',
    ecs('UpdateService', {
      cluster: 'hostile',
      service: 'hostile-web',
      deploymentConfiguration: { maximumPercent: 1e9, minimumHealthyPercent: -1 },
    }),
    400,
    'InvalidParameterException',
  ],
  [
    'ECS: 101 tasks to describe',
    ecs('DescribeTasks', { cluster: 'hostile', tasks: Array.from({ length: 101 }, (_, i) => `t${i}`) }),
    400,
    'InvalidParameterException',
  ],
  ['ECS: a page size of 0', ecs('ListClusters', { maxResults: 0 }), 400, 'InvalidParameterException'],
  [
    'ECS: a forged page token',
    ecs('ListClusters', { nextToken: 'eyJvIjo5OTk5OTl9' }),
    400,
    'InvalidParameterException',
  ],
  [
    'ECR: a page size of 5000',
    ecr('DescribeRepositories', { maxResults: 5000 }),
    400,
    'InvalidParameterException',
  ],
  [
    'ECR: 101 image ids',
    ecr('BatchGetImage', {
      repositoryName: 'hostile/repo',
      imageIds: Array.from({ length: 101 }, (_, i) => ({ imageTag: `t${i}` })),
    }),
    400,
    'InvalidParameterException',
  ],
  [
    'CodeBuild: 101 build ids',
    codebuild('BatchGetBuilds', { ids: Array.from({ length: 101 }, (_, i) => `p:${i}`) }),
    400,
    'InvalidInputException',
  ],
  [
    'CodeBuild: a timeout of 100,000 minutes',
    codebuild('CreateProject', {
      name: 'hostile-timeout',
      source: { type: 'NO_SOURCE', buildspec: 'version: 0.2' },
      artifacts: { type: 'NO_ARTIFACTS' },
      environment: { type: 'LINUX_CONTAINER', image: 'x', computeType: 'BUILD_GENERAL1_SMALL' },
      serviceRole: 'arn:aws:iam::000000000000:role/r',
      timeoutInMinutes: 100_000,
    }),
    400,
    'InvalidInputException',
  ],
  [
    'EventBridge: 11 entries to put',
    events('PutEvents', {
      Entries: Array.from({ length: 11 }, () => ({ Source: 'hostile', DetailType: 'x', Detail: '{}' })),
    }),
    400,
    'ValidationException',
  ],
  [
    'Logs: a page limit of −5',
    logs('GetLogEvents', { logGroupName: '/hostile/logs', logStreamName: 's', limit: -5 }),
    400,
    'InvalidParameterException',
  ],
  [
    'Logs: a retention of 7777 days',
    logs('PutRetentionPolicy', { logGroupName: '/hostile/logs', retentionInDays: 7777 }),
    400,
    'InvalidParameterException',
  ],
  ['Logs: 51 log groups a page', logs('DescribeLogGroups', { limit: 51 }), 400, 'InvalidParameterException'],
  [
    'Step Functions: a history page of 5000',
    (aim) => sfn('ListExecutions', { stateMachineArn: aim.machineArn, maxResults: 5000 }),
    400,
    'ValidationException',
  ],
  [
    'SSM: 11 parameters to get',
    ssm('GetParameters', { Names: Array.from({ length: 11 }, (_, i) => `/p${i}`) }),
    400,
    'ValidationException',
  ],
  [
    'SSM: a page of 11 by path',
    ssm('GetParametersByPath', { Path: '/hostile', MaxResults: 11 }),
    400,
    'ValidationException',
  ],
  [
    'Secrets Manager: a page size of 0',
    secrets('ListSecrets', { MaxResults: 0 }),
    400,
    'InvalidParameterException',
  ],

  // Names: too long, path traversal, characters the service refuses
  [
    'ECS: a cluster name of 300 characters',
    ecs('CreateCluster', { clusterName: 'a'.repeat(300) }),
    400,
    'InvalidParameterException',
  ],
  [
    'ECS: a cluster name "../../etc"',
    ecs('CreateCluster', { clusterName: '../../etc' }),
    400,
    'InvalidParameterException',
  ],
  [
    'ECS: a family with a NUL',
    ecs('RegisterTaskDefinition', { ...taskDefinition({ containerPort: 80 }), family: 'a\u0000b' }),
    400,
    'ClientException',
  ],
  [
    'ECR: a repository "../../etc/passwd"',
    ecr('CreateRepository', { repositoryName: '../../etc/passwd' }),
    400,
    'InvalidParameterException',
  ],
  [
    'ECR: a repository "__proto__"',
    ecr('CreateRepository', { repositoryName: '__proto__' }),
    400,
    'InvalidParameterException',
  ],
  [
    'ECR: an image digest "sha256:../../x"',
    ecr('PutImage', { repositoryName: 'hostile/repo', imageManifest: '{}', imageDigest: 'sha256:../../x' }),
    400,
    'InvalidParameterException',
  ],
  [
    'ECR: a manifest nested 100,000 deep',
    ecr('PutImage', { repositoryName: 'hostile/repo', imageManifest: nested(100_000), imageTag: 'deep' }),
    400,
    'InvalidParameterException',
  ],
  [
    'ECR: a manifest that is not JSON',
    ecr('PutImage', { repositoryName: 'hostile/repo', imageManifest: '{not json', imageTag: 'x' }),
    400,
    'InvalidParameterException',
  ],
  [
    'ECR: a manifest naming layers nobody pushed',
    ecr('PutImage', {
      repositoryName: 'hostile/repo',
      imageTag: 'ghost',
      imageManifest: JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: ZERO_DIGEST, size: 2 },
        layers: [],
      }),
    }),
    400,
    'LayersNotFoundException',
  ],
  [
    'ECR: a registry id "../.."',
    ecr('GetAuthorizationToken', { registryIds: ['../..'] }),
    400,
    'InvalidParameterException',
  ],
  [
    'CodeBuild: a project "../x"',
    codebuild('CreateProject', {
      name: '../x',
      source: { type: 'NO_SOURCE' },
      artifacts: { type: 'NO_ARTIFACTS' },
      environment: { type: 'LINUX_CONTAINER', image: 'x', computeType: 'BUILD_GENERAL1_SMALL' },
      serviceRole: 'r',
    }),
    400,
    'InvalidInputException',
  ],
  [
    'CodeBuild: a build of no project',
    codebuild('StartBuild', { projectName: 'nope' }),
    400,
    'ResourceNotFoundException',
  ],
  [
    'EventBridge: a rule "../x"',
    events('PutRule', { Name: '../x', EventPattern: '{"source":["a"]}' }),
    400,
    'ValidationException',
  ],
  [
    'EventBridge: a pattern that is not JSON',
    events('PutRule', { Name: 'bad-pattern', EventPattern: '{"source":' }),
    400,
    'InvalidEventPatternException',
  ],
  [
    'EventBridge: a pattern nested 2000 deep',
    events('PutRule', { Name: 'deep-pattern', EventPattern: nested(2000, '["x"]') }),
    400,
    'InvalidEventPatternException',
  ],
  [
    'Logs: a group name of 600 characters',
    logs('CreateLogGroup', { logGroupName: 'a'.repeat(600) }),
    400,
    'InvalidParameterException',
  ],
  [
    'Logs: a group name with markup',
    logs('CreateLogGroup', { logGroupName: '<script>' }),
    400,
    'InvalidParameterException',
  ],
  [
    'Logs: a filter pattern that does not parse',
    logs('FilterLogEvents', { logGroupName: '/hostile/logs', filterPattern: '{ $.x = ' }),
    400,
    'InvalidParameterException',
  ],
  [
    'Step Functions: a definition that is not JSON',
    sfn('CreateStateMachine', { name: 'bad', roleArn: 'arn:aws:iam::000000000000:role/r', definition: '{' }),
    400,
    'InvalidDefinition',
  ],
  [
    'Step Functions: a definition nested 5000 deep',
    sfn('CreateStateMachine', {
      name: 'deep',
      roleArn: 'arn:aws:iam::000000000000:role/r',
      definition: nested(5000),
    }),
    400,
    'InvalidDefinition',
  ],
  [
    'Step Functions: a machine name with a slash',
    sfn('CreateStateMachine', {
      name: '../x',
      roleArn: 'arn:aws:iam::000000000000:role/r',
      definition: '{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}',
    }),
    400,
    'InvalidName',
  ],
  [
    'Step Functions: an input that is not JSON',
    (aim) => sfn('StartExecution', { stateMachineArn: aim.machineArn, input: '{' }),
    400,
    'InvalidExecutionInput',
  ],
  [
    'Step Functions: an input over 256 KiB',
    (aim) =>
      sfn('StartExecution', { stateMachineArn: aim.machineArn, input: JSON.stringify('x'.repeat(300_000)) }),
    400,
    'ValidationException',
  ],
  [
    'Step Functions: an execution name of 81 characters',
    (aim) => sfn('StartExecution', { stateMachineArn: aim.machineArn, name: 'n'.repeat(81) }),
    400,
    'InvalidName',
  ],
  [
    'Step Functions: a machine ARN that is no ARN',
    sfn('StartExecution', { stateMachineArn: '../../etc/passwd' }),
    400,
    'InvalidArn',
  ],
  [
    'Step Functions: a forged page token',
    (aim) => sfn('ListExecutions', { stateMachineArn: aim.machineArn, nextToken: 'x'.repeat(50) }),
    400,
    'InvalidToken',
  ],
  [
    'SSM: a parameter "../../etc/passwd"',
    ssm('PutParameter', { Name: '../../etc/passwd', Value: 'v', Type: 'String' }),
    400,
    'ValidationException',
  ],
  [
    'SSM: a parameter type "Bogus"',
    ssm('PutParameter', { Name: '/hostile/bogus', Value: 'v', Type: 'Bogus' }),
    400,
    'ValidationException',
  ],
  [
    'SSM: a value of 5 MB',
    ssm('PutParameter', { Name: '/hostile/big', Value: 'v'.repeat(5_000_000), Type: 'String' }),
    400,
    'ValidationException',
  ],
  [
    'SSM: 16 levels of hierarchy',
    ssm('PutParameter', {
      Name: `/${Array.from({ length: 16 }, (_, i) => `l${i}`).join('/')}`,
      Value: 'v',
      Type: 'String',
    }),
    400,
    'HierarchyLevelLimitExceededException',
  ],
  [
    'Secrets Manager: a name with markup',
    secrets('CreateSecret', { Name: '<script>', SecretString: 'x' }),
    400,
    'InvalidParameterException',
  ],
  [
    'Secrets Manager: a secret of 70 KB',
    secrets('CreateSecret', { Name: 'hostile/big', SecretString: 'x'.repeat(70_000) }),
    400,
    'InvalidParameterException',
  ],
  [
    'Secrets Manager: a request token of 10 characters',
    secrets('CreateSecret', { Name: 'hostile/token', SecretString: 'x', ClientRequestToken: 'short12345' }),
    400,
    'InvalidParameterException',
  ],
  [
    'Secrets Manager: a secret nobody made',
    secrets('GetSecretValue', { SecretId: '../../etc/passwd' }),
    400,
    'ResourceNotFoundException',
  ],

  // A body larger than any operation takes
  [
    'ECS: a 17 MB body',
    ecs('CreateCluster', `{"clusterName":"${'a'.repeat(17 * 1024 * 1024)}"}`),
    413,
    'RequestEntityTooLarge',
  ],
];

export const JSON_CASES = cases(rows);
