import { arns } from '../core/arns.js';
import { type PolicyDocument, parsePolicyDocument } from './policy-document.js';

/**
 * The AWS-managed policies a stepship-style stack is likely to attach, as
 * AWS publishes them. Templates hold only their ARNs, so their statements
 * have to come from here. stepship's own stacks attach none (each function
 * gets its own log group and a least-privilege policy); these cover the
 * usual CDK defaults a user's stack may bring.
 *
 * A role that attaches an AWS-managed policy missing from this table is
 * "allowed as AWS defines it": the local cloud cannot know what that policy
 * grants, so it does not enforce implicit denies for that role (explicit
 * Deny statements still apply). The local cloud must never refuse what AWS
 * would allow.
 */
const PUBLISHED: Record<string, unknown> = {
  'service-role/AWSLambdaBasicExecutionRole': {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: '*',
      },
    ],
  },
  'service-role/AmazonECSTaskExecutionRolePolicy': {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: [
          'ecr:GetAuthorizationToken',
          'ecr:BatchCheckLayerAvailability',
          'ecr:GetDownloadUrlForLayer',
          'ecr:BatchGetImage',
          'logs:CreateLogStream',
          'logs:PutLogEvents',
        ],
        Resource: '*',
      },
    ],
  },
  AWSXRayDaemonWriteAccess: {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: [
          'xray:PutTraceSegments',
          'xray:PutTelemetryRecords',
          'xray:GetSamplingRules',
          'xray:GetSamplingTargets',
          'xray:GetSamplingStatisticSummaries',
        ],
        Resource: '*',
      },
    ],
  },
};

const KNOWN = new Map<string, PolicyDocument>(
  Object.entries(PUBLISHED).map(([name, document]) => [
    arns.awsManagedPolicy(name),
    parsePolicyDocument(document),
  ]),
);

/** Whether `arn` names a policy AWS manages (`arn:aws:iam::aws:policy/…`), known here or not. */
export function isAwsManagedPolicyArn(arn: string): boolean {
  return /^arn:aws[a-z-]*:iam::aws:policy\//.test(arn);
}

/** The published document of an AWS-managed policy, when this table knows it. */
export function awsManagedPolicy(arn: string): PolicyDocument | undefined {
  return KNOWN.get(arn.replace(/^arn:aws[a-z-]*:/, 'arn:aws:'));
}
