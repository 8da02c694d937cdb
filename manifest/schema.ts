/**
 * The schema of stepship.yml: shapes, values, defaults. Checks that relate
 * several keys (routing, dependsOn, table references, files on disk) are in
 * cross-checks.ts; the JSON Schema for editors is generated from this one.
 */
import { z } from 'zod';
import type { KeyModel } from './model.js';
import {
  DNS_NAME,
  HOSTED_ZONE_ID,
  KEY_ATTRIBUTE,
  type Pattern,
  REGION,
  RESOURCE_NAME,
  SNS_TOPIC_ARN,
  TABLE_NAME,
} from './names.js';
import { serviceSchema } from './service-schema.js';
import { choice, duration, flag, integer, mapOf, oneOrList, strictObject, text } from './values.js';

const textOf = ({ pattern, allowed }: Pattern) => text(pattern, allowed);

/** CloudWatch Logs accepts only these retention periods. */
export const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const keyAttribute = textOf(KEY_ATTRIBUTE).transform((value): KeyModel => {
  const [name = '', type = 'S'] = value.split(':');
  return { name, type: type as KeyModel['type'] };
});

const table = strictObject({
  partitionKey: keyAttribute.describe('The partition key: name, or name:S|N|B (S by default).'),
  sortKey: keyAttribute.optional().describe('The sort key: name, or name:S|N|B (S by default).'),
  name: textOf(TABLE_NAME).optional().describe("The DynamoDB table's name; default: its key in tables."),
  existing: flag()
    .default(false)
    .describe('true: the table exists already; stepship grants access but does not create it.'),
});

const network = strictObject({
  mode: choice(['private', 'public'])
    .default('private')
    .describe('private: tasks in private subnets behind NAT; public: no NAT, tasks with public IPs.'),
  natGateways: integer(0, 2).optional().describe('NAT gateways (private mode: 1 or 2; public mode: 0).'),
});

const HOSTED_ZONE_ERROR = `must be ${HOSTED_ZONE_ID.allowed}, or { id, name }: stepship names the zone by its id, as it synthesizes without looking anything up`;

/** By id (and name): stepship synthesizes offline, so it never looks a zone up by its name. */
const hostedZone = z.union(
  [
    text(HOSTED_ZONE_ID.pattern, HOSTED_ZONE_ERROR.replace(/^must be /, '')),
    strictObject({
      id: textOf(HOSTED_ZONE_ID).describe("The zone's id."),
      name: textOf(DNS_NAME).describe("The zone's domain: the app's name or a parent of it."),
    }),
  ],
  { error: HOSTED_ZONE_ERROR },
);

const domain = strictObject({
  name: textOf(DNS_NAME).describe('The name the app answers on, over HTTPS.'),
  hostedZone: hostedZone.describe(
    "The Route 53 hosted zone where the certificate is validated and the name's record is created: its id (the zone's name is then the name minus its first label), or { id, name }.",
  ),
});

const BUILD_PLATFORMS = ['linux/amd64', 'linux/arm64'] as const;

/** The deployment events a notification can be sent for (docs/events.md). */
export const NOTIFIED_EVENTS = [
  'queued',
  'started',
  'succeeded',
  'failed',
  'rolled-back',
  'superseded',
] as const;

const notifications = strictObject({
  snsTopicArn: textOf(SNS_TOPIC_ARN).describe(
    "The topic stepship's deployment events of this app are published to; its policy must let events.amazonaws.com publish.",
  ),
  on: oneOrList(choice(NOTIFIED_EVENTS), NOTIFIED_EVENTS.length, NOTIFIED_EVENTS.join(', '))
    .default(['succeeded', 'failed', 'rolled-back'])
    .describe('Which deployment events are sent.'),
});

const deployment = strictObject({
  rolloutTimeout: duration(60, 7200).default(900).describe('How long a rollout may take before it fails.'),
  buildPlatforms: oneOrList(choice(BUILD_PLATFORMS), 2, 'linux/amd64 or linux/arm64')
    .default([...BUILD_PLATFORMS])
    .describe('Platforms the images are built for.'),
  notifications: notifications.optional().describe("Where stepship's deployment events are sent."),
});

const retentionError = `must be one of CloudWatch's retention periods: ${RETENTION_DAYS.join(', ')}`;

export const manifestSchema = strictObject({
  app: textOf(RESOURCE_NAME).describe(
    "The app's name: stack, resource and state machine names derive from it.",
  ),
  region: textOf(REGION).default('us-east-1').describe('The AWS region.'),
  services: mapOf(textOf(RESOURCE_NAME), serviceSchema, 'a map of service names to services')
    .refine((services) => Object.keys(services).length > 0, { error: 'must name at least one service' })
    .meta({ minProperties: 1 })
    .describe('The app’s services, by name.'),
  tables: mapOf(textOf(TABLE_NAME), table, 'a map of table names to tables')
    .default({})
    .describe('DynamoDB tables the app uses.'),
  network: network.prefault({}).describe('The VPC.'),
  domain: domain.optional().describe("HTTPS on your domain; absent: HTTP on the load balancer's own name."),
  deployment: deployment.prefault({}).describe('How deployments run.'),
  logRetentionDays: z
    .literal(RETENTION_DAYS, { error: retentionError })
    .default(30)
    .describe('Days the logs are kept.'),
});

export type ParsedManifest = z.output<typeof manifestSchema>;
export type ParsedTable = z.output<typeof table>;
