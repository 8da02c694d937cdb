import { describe, expect, it } from '@jest/globals';
import type { ContextValue } from '../../local/iam/condition-operators.js';
import { type Decision, evaluate } from '../../local/iam/evaluator.js';
import { parsePolicyDocument } from '../../local/iam/policy-document.js';

const ACCOUNT = '123456789012';
const CLUSTER = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/stepship-web`;
const SERVICE = `arn:aws:ecs:us-east-1:${ACCOUNT}:service/stepship-web/web`;
const TABLE = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/stepship-web-deployments`;
const LOG_GROUP = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/update-service:*`;
const TASK_ROLE = `arn:aws:iam::${ACCOUNT}:role/Stepship-web-Service-WebTaskRole`;

/** Policies shaped as the stacks synthesize them (resolved to strings). */
const updateServiceStep = parsePolicyDocument({
  Version: '2012-10-17',
  Statement: [
    { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: LOG_GROUP },
    { Action: ['ecs:DescribeServices', 'ecs:UpdateService'], Effect: 'Allow', Resource: SERVICE },
  ],
});
const checkRolloutStep = parsePolicyDocument({
  Version: '2012-10-17',
  Statement: [
    {
      Action: 'ecs:ListTasks',
      Condition: { ArnEquals: { 'ecs:cluster': CLUSTER } },
      Effect: 'Allow',
      Resource: '*',
    },
    {
      Action: 'ecs:DescribeTasks',
      Condition: { ArnEquals: { 'ecs:cluster': CLUSTER } },
      Effect: 'Allow',
      Resource: `arn:aws:ecs:us-east-1:${ACCOUNT}:task/stepship-web/*`,
    },
  ],
});
const registerStep = parsePolicyDocument({
  Version: '2012-10-17',
  Statement: [
    { Action: ['ecs:DescribeTaskDefinition', 'ecs:RegisterTaskDefinition'], Effect: 'Allow', Resource: '*' },
    {
      Action: 'iam:PassRole',
      Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      Effect: 'Allow',
      Resource: [TASK_ROLE],
    },
  ],
});
const recordsTable = parsePolicyDocument({
  Version: '2012-10-17',
  Statement: [
    {
      Action: ['dynamodb:GetItem', 'dynamodb:Query'],
      Effect: 'Allow',
      Resource: [TABLE, `${TABLE}/index/*`],
    },
  ],
});

const request = (action: string, resource: string, context: Record<string, ContextValue> = {}) => ({
  action,
  resource,
  context,
});

describe('the stacks’ policies, evaluated as IAM does', () => {
  it.each<[string, ReturnType<typeof request>, Decision]>([
    ['the step may update its own service', request('ecs:UpdateService', SERVICE), 'Allow'],
    [
      'but no other service',
      request('ecs:UpdateService', `arn:aws:ecs:us-east-1:${ACCOUNT}:service/stepship-web/api`),
      'ImplicitDeny',
    ],
    ['nor any other action on it', request('ecs:DeleteService', SERVICE), 'ImplicitDeny'],
    ['action names are case-insensitive', request('ECS:updateservice', SERVICE), 'Allow'],
    [
      'resources are case-sensitive',
      request('ecs:UpdateService', SERVICE.replace('web/web', 'web/WEB')),
      'ImplicitDeny',
    ],
    [
      'a log group ARN ending in :* covers its streams',
      request(
        'logs:PutLogEvents',
        `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/update-service:log-stream:2026/01/01/x`,
      ),
      'Allow',
    ],
    [
      'but not another group’s streams',
      request(
        'logs:PutLogEvents',
        `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/other:log-stream:x`,
      ),
      'ImplicitDeny',
    ],
  ])('%s', (_name, req, decision) => {
    expect(evaluate(req, [updateServiceStep]).decision).toBe(decision);
  });

  it.each<[string, ReturnType<typeof request>, Decision]>([
    ['ListTasks on * in its cluster', request('ecs:ListTasks', '*', { 'ecs:cluster': CLUSTER }), 'Allow'],
    [
      'ListTasks in another cluster',
      request('ecs:ListTasks', '*', { 'ecs:cluster': CLUSTER.replace('stepship-web', 'other') }),
      'ImplicitDeny',
    ],
    ['ListTasks without the cluster key', request('ecs:ListTasks', '*'), 'ImplicitDeny'],
    [
      'DescribeTasks of its cluster’s tasks',
      request('ecs:DescribeTasks', `arn:aws:ecs:us-east-1:${ACCOUNT}:task/stepship-web/0123abcd`, {
        'ecs:cluster': CLUSTER,
      }),
      'Allow',
    ],
    [
      'DescribeTasks of another cluster’s task',
      request('ecs:DescribeTasks', `arn:aws:ecs:us-east-1:${ACCOUNT}:task/other/0123abcd`, {
        'ecs:cluster': CLUSTER,
      }),
      'ImplicitDeny',
    ],
  ])('the check-rollout step: %s', (_name, req, decision) => {
    expect(evaluate(req, [checkRolloutStep]).decision).toBe(decision);
  });

  it.each<[string, ReturnType<typeof request>, Decision]>([
    [
      'passing the task role to ECS tasks',
      request('iam:PassRole', TASK_ROLE, { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' }),
      'Allow',
    ],
    [
      'passing it to another service',
      request('iam:PassRole', TASK_ROLE, { 'iam:PassedToService': 'lambda.amazonaws.com' }),
      'ImplicitDeny',
    ],
    [
      'passing another role',
      request('iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/Admin`, {
        'iam:PassedToService': 'ecs-tasks.amazonaws.com',
      }),
      'ImplicitDeny',
    ],
    [
      'registering a task definition (no resource-level permission)',
      request('ecs:RegisterTaskDefinition', '*'),
      'Allow',
    ],
  ])('the register step: %s', (_name, req, decision) => {
    expect(evaluate(req, [registerStep]).decision).toBe(decision);
  });

  it.each<[string, ReturnType<typeof request>, Decision]>([
    ['GetItem on the table', request('dynamodb:GetItem', TABLE), 'Allow'],
    ['Query on an index of it', request('dynamodb:Query', `${TABLE}/index/by-service`), 'Allow'],
    ['PutItem on it', request('dynamodb:PutItem', TABLE), 'ImplicitDeny'],
    ['GetItem on another table', request('dynamodb:GetItem', `${TABLE}-2`), 'ImplicitDeny'],
  ])('the records table: %s', (_name, req, decision) => {
    expect(evaluate(req, [recordsTable]).decision).toBe(decision);
  });
});

describe('Deny, NotAction and NotResource', () => {
  const everythingButIam = parsePolicyDocument({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' },
      { Effect: 'Deny', Action: 'ecs:Delete*', Resource: '*' },
      { Effect: 'Deny', Action: 's3:*', NotResource: ['arn:aws:s3:::public', 'arn:aws:s3:::public/*'] },
    ],
  });

  it.each<[string, ReturnType<typeof request>, Decision]>([
    ['NotAction allows what it does not name', request('ecs:UpdateService', SERVICE), 'Allow'],
    ['NotAction does not allow what it names', request('iam:PassRole', TASK_ROLE), 'ImplicitDeny'],
    ['an explicit Deny wins over an Allow', request('ecs:DeleteService', SERVICE), 'ExplicitDeny'],
    [
      'NotResource denies everywhere else',
      request('s3:GetObject', 'arn:aws:s3:::private/key'),
      'ExplicitDeny',
    ],
    ['and leaves what it names alone', request('s3:GetObject', 'arn:aws:s3:::public/key'), 'Allow'],
  ])('%s', (_name, req, decision) => {
    expect(evaluate(req, [everythingButIam]).decision).toBe(decision);
  });

  it('a Deny in one policy wins over an Allow in another, whatever their order', () => {
    const allow = parsePolicyDocument({ Statement: { Effect: 'Allow', Action: '*', Resource: '*' } });
    const deny = parsePolicyDocument({
      Statement: { Effect: 'Deny', Action: 'ecs:UpdateService', Resource: SERVICE },
    });
    const req = request('ecs:UpdateService', SERVICE);
    expect(evaluate(req, [allow, deny])).toMatchObject({
      decision: 'ExplicitDeny',
      statement: { effect: 'Deny' },
    });
    expect(evaluate(req, [deny, allow]).decision).toBe('ExplicitDeny');
    expect(evaluate(req, []).decision).toBe('ImplicitDeny');
  });
});

describe('wildcards', () => {
  const allowOn = (action: string, resource: string) =>
    parsePolicyDocument({ Statement: [{ Effect: 'Allow', Action: action, Resource: resource }] });

  it.each<[string, string, string, string, Decision]>([
    ['* in an action', 'ecs:Describe*', 'ecs:DescribeServices', SERVICE, 'Allow'],
    ['* in an action matches nothing else', 'ecs:Describe*', 'ecs:UpdateService', SERVICE, 'ImplicitDeny'],
    ['? in an action', 'ecs:?pdateService', 'ecs:UpdateService', SERVICE, 'Allow'],
    ['a bare *', '*', 'states:StartExecution', '*', 'Allow'],
    [
      'a segment wildcard',
      'ecs:UpdateService',
      'ecs:UpdateService',
      `arn:aws:ecs:*:${ACCOUNT}:service/*`,
      'Allow',
    ],
    [
      '* inside a segment stays inside it',
      'ecs:UpdateService',
      'ecs:UpdateService',
      `arn:aws:ecs:us-east-1:${ACCOUNT}:service/*/web`,
      'Allow',
    ],
    [
      '? matches exactly one character',
      'ecs:UpdateService',
      'ecs:UpdateService',
      `arn:aws:ecs:us-east-1:${ACCOUNT}:service/stepship-we?/we?`,
      'Allow',
    ],
    [
      '? does not match two',
      'ecs:UpdateService',
      'ecs:UpdateService',
      `arn:aws:ecs:us-east-1:${ACCOUNT}:service/stepship-w?/web`,
      'ImplicitDeny',
    ],
    [
      'a resource-specific grant does not cover a * request',
      'ecs:ListTasks',
      'ecs:ListTasks',
      `arn:aws:ecs:us-east-1:${ACCOUNT}:container-instance/*`,
      'ImplicitDeny',
    ],
    [
      'the execution ARNs of one state machine',
      'states:DescribeExecution',
      'states:DescribeExecution',
      `arn:aws:states:us-east-1:${ACCOUNT}:execution:stepship-web-deploy:*`,
      'Allow',
    ],
  ])('%s', (_name, policyAction, action, policyResource, decision) => {
    const resource =
      action === 'ecs:ListTasks'
        ? '*'
        : action === 'states:DescribeExecution'
          ? `arn:aws:states:us-east-1:${ACCOUNT}:execution:stepship-web-deploy:cli-1234`
          : SERVICE;
    expect(evaluate(request(action, resource), [allowOn(policyAction, policyResource)]).decision).toBe(
      decision,
    );
  });

  it('a * in the middle of a segment does not reach past a colon', () => {
    const policy = allowOn(
      'states:DescribeExecution',
      `arn:aws:states:us-east-1:${ACCOUNT}:execution:*-deploy:run`,
    );
    const other = `arn:aws:states:us-east-1:${ACCOUNT}:execution:a:b-deploy:run`;
    expect(evaluate(request('states:DescribeExecution', other), [policy]).decision).toBe('ImplicitDeny');
    const own = `arn:aws:states:us-east-1:${ACCOUNT}:execution:web-deploy:run`;
    expect(evaluate(request('states:DescribeExecution', own), [policy]).decision).toBe('Allow');
  });
});

describe('condition operators', () => {
  const allowIf = (condition: Record<string, Record<string, unknown>>) =>
    parsePolicyDocument({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'ecs:UpdateService', Resource: '*', Condition: condition }],
    });
  const decisionWith = (
    condition: Record<string, Record<string, unknown>>,
    context: Record<string, ContextValue>,
  ) => evaluate(request('ecs:UpdateService', SERVICE, context), [allowIf(condition)]).decision;

  it.each<[string, Record<string, Record<string, unknown>>, Record<string, ContextValue>, Decision]>([
    ['StringEquals: one of the values', { StringEquals: { 'k:v': ['a', 'b'] } }, { 'k:v': 'b' }, 'Allow'],
    ['StringEquals: none of them', { StringEquals: { 'k:v': ['a', 'b'] } }, { 'k:v': 'c' }, 'ImplicitDeny'],
    ['StringEquals is case-sensitive', { StringEquals: { 'k:v': 'a' } }, { 'k:v': 'A' }, 'ImplicitDeny'],
    ['StringEquals: key names are not', { StringEquals: { 'K:V': 'a' } }, { 'k:v': 'a' }, 'Allow'],
    ['StringEquals: an absent key does not match', { StringEquals: { 'k:v': 'a' } }, {}, 'ImplicitDeny'],
    [
      'StringNotEquals: a different value',
      { StringNotEquals: { 'k:v': ['a', 'b'] } },
      { 'k:v': 'c' },
      'Allow',
    ],
    [
      'StringNotEquals: one of the values',
      { StringNotEquals: { 'k:v': ['a', 'b'] } },
      { 'k:v': 'a' },
      'ImplicitDeny',
    ],
    ['StringNotEquals: an absent key holds', { StringNotEquals: { 'k:v': 'a' } }, {}, 'Allow'],
    ['StringEqualsIgnoreCase', { StringEqualsIgnoreCase: { 'k:v': 'Web' } }, { 'k:v': 'WEB' }, 'Allow'],
    [
      'StringNotEqualsIgnoreCase',
      { StringNotEqualsIgnoreCase: { 'k:v': 'Web' } },
      { 'k:v': 'WEB' },
      'ImplicitDeny',
    ],
    ['StringLike: *', { StringLike: { 'k:v': 'stepship-*' } }, { 'k:v': 'stepship-web' }, 'Allow'],
    ['StringLike: ?', { StringLike: { 'k:v': 'we?' } }, { 'k:v': 'web' }, 'Allow'],
    ['StringLike: no match', { StringLike: { 'k:v': 'stepship-*' } }, { 'k:v': 'other' }, 'ImplicitDeny'],
    ['StringNotLike', { StringNotLike: { 'k:v': 'stepship-*' } }, { 'k:v': 'stepship-web' }, 'ImplicitDeny'],
    ['ArnEquals', { ArnEquals: { 'ecs:cluster': CLUSTER } }, { 'ecs:cluster': CLUSTER }, 'Allow'],
    [
      'ArnLike: wildcards per part',
      { ArnLike: { 'aws:SourceArn': 'arn:aws:states:*:*:stateMachine:*' } },
      { 'aws:SourceArn': `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:deploy` },
      'Allow',
    ],
    [
      'ArnLike: another service',
      { ArnLike: { 'aws:SourceArn': 'arn:aws:states:*:*:stateMachine:*' } },
      { 'aws:SourceArn': `arn:aws:lambda:us-east-1:${ACCOUNT}:function:deploy` },
      'ImplicitDeny',
    ],
    [
      'ArnLike: not an ARN',
      { ArnLike: { 'aws:SourceArn': 'arn:aws:states:*:*:*:*' } },
      { 'aws:SourceArn': 'stateMachine' },
      'ImplicitDeny',
    ],
    [
      'ArnNotLike',
      { ArnNotLike: { 'ecs:cluster': 'arn:aws:ecs:*:*:cluster/prod-*' } },
      { 'ecs:cluster': CLUSTER },
      'Allow',
    ],
    [
      'ArnNotEquals: the same ARN',
      { ArnNotEquals: { 'ecs:cluster': CLUSTER } },
      { 'ecs:cluster': CLUSTER },
      'ImplicitDeny',
    ],
    ['Bool true', { Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:SecureTransport': 'true' }, 'Allow'],
    [
      'Bool as a JSON boolean',
      { Bool: { 'aws:SecureTransport': false } },
      { 'aws:SecureTransport': 'true' },
      'ImplicitDeny',
    ],
    ['NumericLessThan', { NumericLessThan: { 'ecs:task-cpu': 1024 } }, { 'ecs:task-cpu': '512' }, 'Allow'],
    [
      'NumericLessThan: equal',
      { NumericLessThan: { 'ecs:task-cpu': 1024 } },
      { 'ecs:task-cpu': '1024' },
      'ImplicitDeny',
    ],
    [
      'NumericLessThanEquals: equal',
      { NumericLessThanEquals: { 'ecs:task-cpu': '1024' } },
      { 'ecs:task-cpu': '1024' },
      'Allow',
    ],
    [
      'NumericGreaterThan',
      { NumericGreaterThan: { 'ecs:task-memory': 512 } },
      { 'ecs:task-memory': '2048' },
      'Allow',
    ],
    [
      'NumericGreaterThanEquals',
      { NumericGreaterThanEquals: { 'ecs:task-memory': 4096 } },
      { 'ecs:task-memory': '2048' },
      'ImplicitDeny',
    ],
    ['NumericEquals', { NumericEquals: { 'ecs:task-cpu': '256' } }, { 'ecs:task-cpu': '256.0' }, 'Allow'],
    ['NumericNotEquals', { NumericNotEquals: { 'ecs:task-cpu': '256' } }, { 'ecs:task-cpu': '512' }, 'Allow'],
    [
      'Numeric: not a number never matches',
      { NumericLessThan: { 'ecs:task-cpu': 1024 } },
      { 'ecs:task-cpu': 'many' },
      'ImplicitDeny',
    ],
    [
      'DateLessThan (ISO 8601)',
      { DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } },
      { 'aws:CurrentTime': '2026-11-16T01:54:34Z' },
      'Allow',
    ],
    [
      'DateGreaterThan (epoch seconds)',
      { DateGreaterThan: { 'aws:EpochTime': '1900000000' } },
      { 'aws:EpochTime': '1800000000' },
      'ImplicitDeny',
    ],
    [
      'IpAddress: in the range',
      { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } },
      { 'aws:SourceIp': '127.0.3.9' },
      'Allow',
    ],
    [
      'IpAddress: outside it',
      { IpAddress: { 'aws:SourceIp': '10.0.0.0/16' } },
      { 'aws:SourceIp': '127.0.3.9' },
      'ImplicitDeny',
    ],
    [
      'NotIpAddress',
      { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/16' } },
      { 'aws:SourceIp': '127.0.3.9' },
      'Allow',
    ],
    ['BinaryEquals', { BinaryEquals: { 'k:b': 'QmluYXJ5' } }, { 'k:b': 'QmluYXJ5' }, 'Allow'],
    ['Null true: the key is absent', { Null: { 'aws:TagKeys': 'true' } }, {}, 'Allow'],
    ['Null false: the key is present', { Null: { 'aws:TagKeys': 'false' } }, {}, 'ImplicitDeny'],
    ['…IfExists: an absent key holds', { StringEqualsIfExists: { 'k:v': 'a' } }, {}, 'Allow'],
    [
      '…IfExists: a present key is compared',
      { StringEqualsIfExists: { 'k:v': 'a' } },
      { 'k:v': 'b' },
      'ImplicitDeny',
    ],
    ['ArnLikeIfExists', { ArnLikeIfExists: { 'ecs:cluster': CLUSTER } }, { 'ecs:cluster': CLUSTER }, 'Allow'],
    [
      'ForAnyValue: one value matches',
      { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['team', 'env'] } },
      { 'aws:TagKeys': ['cost', 'env'] },
      'Allow',
    ],
    [
      'ForAnyValue: none match',
      { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['team'] } },
      { 'aws:TagKeys': ['cost'] },
      'ImplicitDeny',
    ],
    [
      'ForAnyValue: an absent key',
      { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['team'] } },
      {},
      'ImplicitDeny',
    ],
    [
      'ForAllValues: every value matches',
      { 'ForAllValues:StringLike': { 'aws:TagKeys': ['team', 'env*'] } },
      { 'aws:TagKeys': ['team', 'env-name'] },
      'Allow',
    ],
    [
      'ForAllValues: one does not',
      { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'env'] } },
      { 'aws:TagKeys': ['team', 'cost'] },
      'ImplicitDeny',
    ],
    [
      'ForAllValues: an absent key holds (IAM’s well-known trap)',
      { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team'] } },
      {},
      'Allow',
    ],
    [
      'ForAllValues:StringNotEquals',
      { 'ForAllValues:StringNotEquals': { 'aws:TagKeys': ['secret'] } },
      { 'aws:TagKeys': ['team', 'env'] },
      'Allow',
    ],
    [
      'ForAnyValue:StringNotEquals',
      { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['team'] } },
      { 'aws:TagKeys': ['team'] },
      'ImplicitDeny',
    ],
    [
      'a multivalued key without a qualifier: any value',
      { StringEquals: { 'aws:TagKeys': 'env' } },
      { 'aws:TagKeys': ['team', 'env'] },
      'Allow',
    ],
    [
      'operators are ANDed',
      { StringEquals: { 'k:a': '1' }, StringLike: { 'k:b': 'x*' } },
      { 'k:a': '1', 'k:b': 'y' },
      'ImplicitDeny',
    ],
    [
      'keys under one operator are ANDed',
      { StringEquals: { 'k:a': '1', 'k:b': '2' } },
      { 'k:a': '1', 'k:b': '2' },
      'Allow',
    ],
  ])('%s', (_name, condition, context, decision) => {
    expect(decisionWith(condition, context)).toBe(decision);
  });
});

describe('policy variables (version 2012-10-17)', () => {
  const byTeam = (version: string) =>
    parsePolicyDocument({
      Version: version,
      Statement: [
        {
          Effect: 'Allow',
          Action: 'dynamodb:GetItem',
          Resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/\${aws:PrincipalTag/team}-*`,
        },
      ],
    });
  const table = (name: string) => `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${name}`;

  it('substitutes the request’s value into the Resource', () => {
    const context = { 'aws:PrincipalTag/team': 'shop' };
    expect(
      evaluate(request('dynamodb:GetItem', table('shop-orders'), context), [byTeam('2012-10-17')]).decision,
    ).toBe('Allow');
    expect(
      evaluate(request('dynamodb:GetItem', table('ops-orders'), context), [byTeam('2012-10-17')]).decision,
    ).toBe('ImplicitDeny');
  });

  it('matches nothing when the variable has no value, and is literal text under 2008-10-17', () => {
    expect(evaluate(request('dynamodb:GetItem', table('shop-orders')), [byTeam('2012-10-17')]).decision).toBe(
      'ImplicitDeny',
    );
    const literal = table('${aws:PrincipalTag/team}-x');
    expect(evaluate(request('dynamodb:GetItem', literal), [byTeam('2008-10-17')]).decision).toBe('Allow');
  });

  it('takes a value brought in by a variable literally, and ${*} as an asterisk', () => {
    const policy = parsePolicyDocument({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/${aws:userid}/${*}' }],
    });
    const context = { 'aws:userid': 'AROAX:task' };
    expect(evaluate(request('s3:GetObject', 'arn:aws:s3:::b/AROAX:task/*', context), [policy]).decision).toBe(
      'Allow',
    );
    expect(
      evaluate(request('s3:GetObject', 'arn:aws:s3:::b/AROAX:task/file', context), [policy]).decision,
    ).toBe('ImplicitDeny');
    const wild = { 'aws:userid': '*' };
    expect(evaluate(request('s3:GetObject', 'arn:aws:s3:::b/anyone/*', wild), [policy]).decision).toBe(
      'ImplicitDeny',
    );
  });

  it('uses a default when the key is absent', () => {
    const policy = parsePolicyDocument({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'ecs:UpdateService',
          Resource: '*',
          Condition: { StringEquals: { 'k:v': "${aws:PrincipalTag/team, 'none'}" } },
        },
      ],
    });
    expect(evaluate(request('ecs:UpdateService', SERVICE, { 'k:v': 'none' }), [policy]).decision).toBe(
      'Allow',
    );
    expect(
      evaluate(request('ecs:UpdateService', SERVICE, { 'k:v': 'none', 'aws:PrincipalTag/team': 'shop' }), [
        policy,
      ]).decision,
    ).toBe('ImplicitDeny');
  });
});
