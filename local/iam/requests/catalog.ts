import { codebuildRules } from './codebuild.js';
import { dynamodbRules } from './dynamodb.js';
import { ecrRules } from './ecr.js';
import { ecsRules } from './ecs.js';
import { elbv2Rules } from './elbv2.js';
import { eventsRules } from './events.js';
import { logsRules } from './logs.js';
import { REST_CHECKS, type RestChecks } from './rest.js';
import { ServiceRules } from './rules.js';
import { sfnRules } from './sfn.js';
import { ssmRules } from './ssm.js';

export interface JsonRules {
  rules: ServiceRules;
  /** The Content-Type version of the service's errors. */
  jsonVersion: '1.0' | '1.1';
}

export interface QueryRules {
  rules: ServiceRules;
  /** The XML namespace of the service's error documents. */
  namespace: string;
}

/**
 * Every request the local cloud serves, by how the endpoint routes it: JSON
 * protocols by `X-Amz-Target` prefix, awsQuery and REST by the service the
 * request is signed for. The rules name each operation's IAM action and the
 * ARNs it acts on; an operation without a rule is checked against `*`.
 */
export const JSON_RULES: ReadonlyMap<string, JsonRules> = new Map<string, JsonRules>([
  ['AmazonEC2ContainerServiceV20141113', { rules: ecsRules, jsonVersion: '1.1' }],
  ['AmazonEC2ContainerRegistry_V20150921', { rules: ecrRules, jsonVersion: '1.1' }],
  ['DynamoDB_20120810', { rules: dynamodbRules, jsonVersion: '1.0' }],
  ['AWSStepFunctions', { rules: sfnRules, jsonVersion: '1.0' }],
  ['Logs_20140328', { rules: logsRules, jsonVersion: '1.1' }],
  ['CodeBuild_20161006', { rules: codebuildRules, jsonVersion: '1.1' }],
  ['AWSEvents', { rules: eventsRules, jsonVersion: '1.1' }],
  ['AmazonSSM', { rules: ssmRules, jsonVersion: '1.1' }],
  // Secrets Manager names secrets by ARNs with a random suffix the request does not carry: checked on `*`.
  ['secretsmanager', { rules: new ServiceRules('secretsmanager', []), jsonVersion: '1.1' }],
]);

export const QUERY_RULES: ReadonlyMap<string, QueryRules> = new Map([
  [
    'elasticloadbalancing',
    { rules: elbv2Rules, namespace: 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/' },
  ],
]);

export const REST_RULES: ReadonlyMap<string, RestChecks> = REST_CHECKS;
