import { describe, expect, it } from '@jest/globals';
import { awsManagedPolicy, isAwsManagedPolicyArn } from '../../local/iam/aws-managed-policies.js';
import { decide } from '../../local/iam/decision.js';
import { MalformedPolicyDocumentError, parsePolicyDocument } from '../../local/iam/policy-document.js';

const PRINCIPAL = 'arn:aws:sts::123456789012:assumed-role/StepsUpdateServiceRole/stepship-update-service';
const SERVICE = 'arn:aws:ecs:us-east-1:123456789012:service/stepship-web/web';

describe('policy documents, checked as IAM checks them on PutRolePolicy', () => {
  it('normalizes single values to lists and keeps the version', () => {
    expect(
      parsePolicyDocument(
        JSON.stringify({
          Version: '2012-10-17',
          Statement: {
            Sid: 'One',
            Effect: 'Allow',
            Action: 'ecs:UpdateService',
            Resource: SERVICE,
            Condition: { StringEquals: { 'ecs:cluster': ['a', 'b'] }, Bool: { 'aws:SecureTransport': true } },
          },
        }),
      ),
    ).toEqual({
      version: '2012-10-17',
      statements: [
        {
          sid: 'One',
          effect: 'Allow',
          action: ['ecs:UpdateService'],
          resource: [SERVICE],
          conditions: [
            { operator: 'StringEquals', key: 'ecs:cluster', values: ['a', 'b'] },
            { operator: 'Bool', key: 'aws:SecureTransport', values: ['true'] },
          ],
        },
      ],
    });
  });

  it.each<[string, unknown, RegExp]>([
    ['not JSON', '{"Statement": ', /not valid JSON/],
    [
      'a principal in an identity policy',
      { Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] },
      /should not specify a principal/,
    ],
    ['no statement', { Version: '2012-10-17' }, /no Statement/],
    ['an unknown version', { Version: '2020-01-01', Statement: [] }, /Version/],
    [
      'an effect other than Allow or Deny',
      { Statement: [{ Effect: 'Permit', Action: '*', Resource: '*' }] },
      /Effect/,
    ],
    [
      'both Action and NotAction',
      { Statement: [{ Effect: 'Allow', Action: '*', NotAction: 'iam:*', Resource: '*' }] },
      /exactly one of Action and NotAction/,
    ],
    [
      'no resource',
      { Statement: [{ Effect: 'Allow', Action: 'ecs:UpdateService' }] },
      /exactly one of Resource and NotResource/,
    ],
    [
      'an action without a vendor',
      { Statement: [{ Effect: 'Allow', Action: 'UpdateService', Resource: '*' }] },
      /prefaced by a vendor/,
    ],
    [
      'an unknown condition operator',
      {
        Statement: [
          { Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEqualz: { 'k:v': 'a' } } },
        ],
      },
      /invalid Condition operator "StringEqualz"/,
    ],
    [
      'a set qualifier on Null',
      {
        Statement: [
          {
            Effect: 'Allow',
            Action: '*',
            Resource: '*',
            Condition: { 'ForAnyValue:Null': { 'k:v': 'true' } },
          },
        ],
      },
      /invalid Condition operator/,
    ],
    [
      'a condition value that is an object',
      {
        Statement: [
          { Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { 'k:v': { a: 1 } } } },
        ],
      },
      /must be strings, numbers or booleans/,
    ],
    [
      'an empty resource list',
      { Statement: [{ Effect: 'Allow', Action: '*', Resource: [] }] },
      /Resource must be a non-empty/,
    ],
  ])('refuses %s', (_name, document, message) => {
    expect(() => parsePolicyDocument(document)).toThrow(MalformedPolicyDocumentError);
    expect(() => parsePolicyDocument(document)).toThrow(message);
  });
});

describe('the decision for a role session, worded as AWS words it', () => {
  const allowUpdate = parsePolicyDocument({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['ecs:DescribeServices', 'ecs:UpdateService'], Resource: SERVICE },
    ],
  });
  const denyUpdate = parsePolicyDocument({
    Statement: [{ Effect: 'Deny', Action: 'ecs:UpdateService', Resource: '*' }],
  });
  const update = { action: 'ecs:UpdateService', resource: SERVICE, context: {} };

  it('allows what an identity policy allows', () => {
    expect(decide(update, { identity: [allowUpdate], unseen: [] }, PRINCIPAL)).toBeUndefined();
  });

  it('refuses what none allows, naming the principal, action and resource', () => {
    expect(
      decide({ ...update, action: 'ecs:DeleteService' }, { identity: [allowUpdate], unseen: [] }, PRINCIPAL),
    ).toEqual({
      action: 'ecs:DeleteService',
      resource: SERVICE,
      explicit: false,
      message: `User: ${PRINCIPAL} is not authorized to perform: ecs:DeleteService on resource: ${SERVICE} because no identity-based policy allows the ecs:DeleteService action`,
    });
  });

  it('refuses an explicit deny, saying so', () => {
    expect(decide(update, { identity: [allowUpdate, denyUpdate], unseen: [] }, PRINCIPAL)?.message).toBe(
      `User: ${PRINCIPAL} is not authorized to perform: ecs:UpdateService on resource: ${SERVICE} with an explicit deny in an identity-based policy`,
    );
  });

  it('does not refuse by implicit deny when the role attaches a policy it cannot read, but still by explicit deny', () => {
    const unseen = ['arn:aws:iam::aws:policy/AmazonECS_FullAccess'];
    expect(
      decide({ ...update, action: 'ecs:DeleteService' }, { identity: [allowUpdate], unseen }, PRINCIPAL),
    ).toBeUndefined();
    expect(decide(update, { identity: [denyUpdate], unseen }, PRINCIPAL)?.explicit).toBe(true);
  });

  it('refuses what the permissions boundary does not allow, even when a policy does', () => {
    const boundary = parsePolicyDocument({
      Statement: [{ Effect: 'Allow', Action: 'ecs:Describe*', Resource: '*' }],
    });
    expect(decide(update, { identity: [allowUpdate], unseen: [], boundary }, PRINCIPAL)?.message).toBe(
      `User: ${PRINCIPAL} is not authorized to perform: ecs:UpdateService on resource: ${SERVICE} because no permissions boundary allows the ecs:UpdateService action`,
    );
    expect(
      decide(
        { ...update, action: 'ecs:DescribeServices' },
        { identity: [allowUpdate], unseen: [], boundary },
        PRINCIPAL,
      ),
    ).toBeUndefined();
    expect(
      decide(update, { identity: [allowUpdate], unseen: [], boundary: 'unseen' }, PRINCIPAL),
    ).toBeUndefined();
  });
});

describe('AWS-managed policies', () => {
  it('knows the published statements of the few a stack commonly attaches', () => {
    const basic = awsManagedPolicy('arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole');
    expect(basic?.statements[0]?.action).toEqual([
      'logs:CreateLogGroup',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
    expect(
      awsManagedPolicy('arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy'),
    ).toBeDefined();
    expect(awsManagedPolicy('arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess')).toBeDefined();
  });

  it('tells an AWS-managed ARN it does not know from a customer-managed one', () => {
    expect(awsManagedPolicy('arn:aws:iam::aws:policy/AdministratorAccess')).toBeUndefined();
    expect(isAwsManagedPolicyArn('arn:aws:iam::aws:policy/AdministratorAccess')).toBe(true);
    expect(isAwsManagedPolicyArn('arn:aws:iam::123456789012:policy/mine')).toBe(false);
  });
});
