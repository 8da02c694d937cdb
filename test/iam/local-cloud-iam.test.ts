import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  AccessDeniedException,
  CreateClusterCommand,
  ECSClient,
  ListClustersCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateTargetGroupCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LOCAL_CREDENTIALS, LocalCloud } from '../../local/cloud.js';
import { Iam } from '../../local/iam/provider.js';

const work = mkdtempSync(join(tmpdir(), 'stepship-iam-'));
let cloud: LocalCloud;
let roleArn: string;
const account = '000000000000';
const principal = (session: string) => `arn:aws:sts::${account}:assumed-role/app-task/${session}`;

/** The error an SDK call rejects with, for its name, message and HTTP status. */
async function failure(call: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await call;
  } catch (err) {
    return err as Error;
  }
  throw new Error('the call succeeded');
}

beforeAll(async () => {
  cloud = await LocalCloud.start({ endpointPort: 0, loadBalancerPort: 0, stateDir: join(work, 'state') });
  const role = cloud.iam.createRole(cloud.scope, {
    roleName: 'app-task',
    policies: [
      {
        policyName: 'app',
        policyDocument: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 'dynamodb:ListTables', Resource: '*' },
            {
              Effect: 'Allow',
              Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
              Resource: `arn:aws:dynamodb:us-east-1:${account}:table/notes`,
            },
            {
              Effect: 'Allow',
              Action: 'ecs:CreateCluster',
              Resource: `arn:aws:ecs:us-east-1:${account}:cluster/app-*`,
            },
            { Effect: 'Allow', Action: 'elasticloadbalancing:Describe*', Resource: '*' },
            { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::sources/public/*' },
            {
              Effect: 'Deny',
              Action: 'ecs:CreateCluster',
              Resource: `arn:aws:ecs:us-east-1:${account}:cluster/app-prod`,
            },
          ],
        },
      },
    ],
  });
  roleArn = role.arn;
  const admin = new DynamoDBClient({
    endpoint: cloud.endpointUrl,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
  });
  for (const name of ['notes', 'secrets'])
    await admin.send(
      new CreateTableCommand({
        TableName: name,
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  admin.destroy();
}, 30_000);
afterAll(async () => {
  await cloud?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('requests signed with a role’s credentials are checked against its policies', () => {
  const config = () => ({
    endpoint: cloud.endpointUrl,
    region: 'us-east-1',
    credentials: cloud.iam.credentialsFor(roleArn, 'task-0a1b2c'),
  });

  it('DynamoDB (served by dynalite): allowed calls reach the table, others are refused as DynamoDB refuses them', async () => {
    const db = new DynamoDBClient(config());
    expect((await db.send(new ListTablesCommand({}))).TableNames).toEqual(['notes', 'secrets']);
    await db.send(new PutItemCommand({ TableName: 'notes', Item: { id: { S: 'n1' }, text: { S: 'hi' } } }));
    expect(
      (await db.send(new GetItemCommand({ TableName: 'notes', Key: { id: { S: 'n1' } } }))).Item,
    ).toEqual({
      id: { S: 'n1' },
      text: { S: 'hi' },
    });
    const refused = await failure(
      db.send(new GetItemCommand({ TableName: 'secrets', Key: { id: { S: 'x' } } })),
    );
    expect(refused.name).toBe('AccessDeniedException');
    expect(refused.$metadata?.httpStatusCode).toBe(400);
    expect(refused.message).toBe(
      `User: ${principal('task-0a1b2c')} is not authorized to perform: dynamodb:GetItem on resource: arn:aws:dynamodb:us-east-1:${account}:table/secrets because no identity-based policy allows the dynamodb:GetItem action`,
    );
    db.destroy();
  });

  it('ECS: a modeled AccessDeniedException, and an explicit Deny is named as one', async () => {
    const ecs = new ECSClient(config());
    expect((await ecs.send(new CreateClusterCommand({ clusterName: 'app-dev' }))).cluster?.clusterName).toBe(
      'app-dev',
    );
    const other = await failure(ecs.send(new CreateClusterCommand({ clusterName: 'web' })));
    expect(other).toBeInstanceOf(AccessDeniedException);
    expect(other.message).toContain(
      `is not authorized to perform: ecs:CreateCluster on resource: arn:aws:ecs:us-east-1:${account}:cluster/web because no identity-based policy allows`,
    );
    const prod = await failure(ecs.send(new CreateClusterCommand({ clusterName: 'app-prod' })));
    expect(prod.message).toMatch(/cluster\/app-prod with an explicit deny in an identity-based policy$/);
    const list = await failure(ecs.send(new ListClustersCommand({})));
    expect(list.message).toContain('ecs:ListClusters on resource: *');
    ecs.destroy();
  });

  it('ELBv2 (awsQuery): AccessDenied with HTTP 403', async () => {
    const elb = new ElasticLoadBalancingV2Client(config());
    expect((await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups).toEqual([]);
    const refused = await failure(
      elb.send(
        new CreateTargetGroupCommand({
          Name: 'web',
          TargetType: 'ip',
          Protocol: 'HTTP',
          Port: 80,
          VpcId: 'vpc-1',
        }),
      ),
    );
    expect(refused.name).toBe('AccessDenied');
    expect(refused.$metadata?.httpStatusCode).toBe(403);
    expect(refused.message).toContain(
      `elasticloadbalancing:CreateTargetGroup on resource: arn:aws:elasticloadbalancing:us-east-1:${account}:targetgroup/web/*`,
    );
    elb.destroy();
  });

  it('Step Functions, S3 and Lambda refuse in their own forms', async () => {
    const sfn = new SFNClient(config());
    const machines = await failure(sfn.send(new ListStateMachinesCommand({})));
    expect(machines.name).toBe('AccessDeniedException');
    sfn.destroy();

    const admin = new S3Client({
      endpoint: cloud.endpointUrl,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
      forcePathStyle: true,
    });
    cloud.s3.createBucket(cloud.scope, 'sources');
    await admin.send(new PutObjectCommand({ Bucket: 'sources', Key: 'public/a.txt', Body: 'public' }));
    await admin.send(new PutObjectCommand({ Bucket: 'sources', Key: 'private/b.txt', Body: 'private' }));
    admin.destroy();
    const s3 = new S3Client({ ...config(), forcePathStyle: true });
    const object = await s3.send(new GetObjectCommand({ Bucket: 'sources', Key: 'public/a.txt' }));
    expect(await object.Body?.transformToString()).toBe('public');
    const refused = await failure(s3.send(new GetObjectCommand({ Bucket: 'sources', Key: 'private/b.txt' })));
    expect(refused.name).toBe('AccessDenied');
    expect(refused.$metadata?.httpStatusCode).toBe(403);
    expect(refused.message).toContain('s3:GetObject on resource: arn:aws:s3:::sources/private/b.txt');
    s3.destroy();

    const lambda = new LambdaClient(config());
    const invoke = await failure(lambda.send(new InvokeCommand({ FunctionName: 'start-deployment' })));
    expect(invoke.name).toBe('AccessDeniedException');
    expect(invoke.$metadata?.httpStatusCode).toBe(403);
    expect(invoke.message).toContain(
      `lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:${account}:function:start-deployment`,
    );
    lambda.destroy();
  });

  it('a role the templates do not define (imported by ARN) is not refused: its policies are unknown here', async () => {
    const imported = new DynamoDBClient({
      ...config(),
      credentials: cloud.iam.credentialsFor(`arn:aws:iam::${account}:role/defined-elsewhere`, 'x1'),
    });
    expect((await imported.send(new ListTablesCommand({}))).TableNames).toEqual(['notes', 'secrets']);
    imported.destroy();
  });
});

describe('any other key is served unchecked, as LocalStack serves it by default', () => {
  it.each([
    ['the local cloud’s own', LOCAL_CREDENTIALS],
    [
      'an AWS-looking temporary key it did not issue',
      { accessKeyId: 'ASIAAAAAAAAAAAAAAAAA', secretAccessKey: 'x', sessionToken: 'y' },
    ],
  ])('%s', async (_name, credentials) => {
    const db = new DynamoDBClient({ endpoint: cloud.endpointUrl, region: 'us-east-1', credentials });
    await db.send(new PutItemCommand({ TableName: 'secrets', Item: { id: { S: 'k' } } }));
    expect(
      (await db.send(new GetItemCommand({ TableName: 'secrets', Key: { id: { S: 'k' } } }))).Item,
    ).toBeDefined();
    db.destroy();
  });
});

describe('provisioning: roles and policies from a template, and functions that call AWS as their role', () => {
  it('records AWS::IAM::Role, ::Policy and ::ManagedPolicy, and gives a function its role’s credentials', async () => {
    const assembly = join(work, 'cdk.out');
    mkdirSync(join(assembly, 'asset.env'), { recursive: true });
    // A function that reports the credentials it was given.
    writeFileSync(
      join(assembly, 'asset.env', 'index.mjs'),
      'export const handler = async () => ({ accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY, sessionToken: process.env.AWS_SESSION_TOKEN });\n',
    );
    const template = {
      Resources: {
        StepRole: {
          Type: 'AWS::IAM::Role',
          Properties: {
            AssumeRolePolicyDocument: {
              Statement: [
                { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
              ],
            },
            ManagedPolicyArns: [
              'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
              { Ref: 'ReadNotes' },
            ],
          },
        },
        StepRoleDefaultPolicy: {
          Type: 'AWS::IAM::Policy',
          Properties: {
            PolicyName: 'StepRoleDefaultPolicy',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                {
                  Action: 'dynamodb:PutItem',
                  Effect: 'Allow',
                  Resource: {
                    'Fn::Join': [
                      '',
                      ['arn:aws:dynamodb:us-east-1:', { Ref: 'AWS::AccountId' }, ':table/notes'],
                    ],
                  },
                },
              ],
            },
            Roles: [{ Ref: 'StepRole' }, 'a-role-defined-elsewhere'],
          },
        },
        ReadNotes: {
          Type: 'AWS::IAM::ManagedPolicy',
          Properties: {
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                { Action: 'dynamodb:GetItem', Effect: 'Allow', Resource: 'arn:aws:dynamodb:*:*:table/notes' },
              ],
            },
          },
        },
        Step: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            FunctionName: 'report-credentials',
            Handler: 'index.handler',
            Code: { S3Key: 'env.zip' },
            Role: { 'Fn::GetAtt': ['StepRole', 'Arn'] },
          },
          DependsOn: ['StepRoleDefaultPolicy'],
        },
      },
      Outputs: { RoleArn: { Value: { 'Fn::GetAtt': ['StepRole', 'Arn'] } } },
    };
    writeFileSync(join(assembly, 'Iam.template.json'), JSON.stringify(template));
    writeFileSync(
      join(assembly, 'manifest.json'),
      JSON.stringify({
        artifacts: {
          Iam: { type: 'aws:cloudformation:stack', properties: { templateFile: 'Iam.template.json' } },
        },
      }),
    );
    const provisioned = await cloud.provision(assembly);
    expect(
      provisioned.resources.filter((r) => r.type.startsWith('AWS::IAM::')).map((r) => r.recordOnly),
    ).toEqual([false, false, false]);

    const given = (await cloud.lambda.invoke(cloud.scope, 'report-credentials', {})) as {
      accessKeyId: string;
      secretAccessKey: string;
      sessionToken: string;
    };
    expect(given).toEqual(
      cloud.iam.credentialsFor(provisioned.outputs['Iam.RoleArn'] ?? '', 'report-credentials'),
    );
    expect(cloud.iam.callerOf(given.accessKeyId, given.sessionToken)).toEqual({
      roleArn: provisioned.outputs['Iam.RoleArn'],
      session: 'report-credentials',
    });

    const db = new DynamoDBClient({
      endpoint: cloud.endpointUrl,
      region: 'us-east-1',
      credentials: given,
    });
    await db.send(new PutItemCommand({ TableName: 'notes', Item: { id: { S: 'from-step' } } }));
    expect(
      (await db.send(new GetItemCommand({ TableName: 'notes', Key: { id: { S: 'from-step' } } }))).Item,
    ).toBeDefined();
    const refused = await failure(db.send(new ListTablesCommand({})));
    expect(refused.message).toMatch(
      /assumed-role\/Iam-StepRole-[0-9A-F]+\/report-credentials is not authorized to perform: dynamodb:ListTables/,
    );
    db.destroy();
  });

  it('keeps each role’s secret in the state directory, so a role keeps its credentials across restarts', () => {
    const state = join(work, 'state');
    const before = cloud.iam.credentialsFor(roleArn, 'again');
    const restarted = new Iam({ stateDir: state }).credentialsFor(roleArn, 'again');
    expect(restarted).toEqual(before);
    expect(statSync(join(state, 'iam', 'role-keys.json')).mode & 0o777).toBe(0o600);
    const elsewhere = new Iam({ stateDir: join(work, 'other-state') }).credentialsFor(roleArn, 'again');
    expect(elsewhere.accessKeyId).toBe(before.accessKeyId);
    expect(elsewhere.secretAccessKey).not.toBe(before.secretAccessKey);
  });
});
