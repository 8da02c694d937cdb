/** The schema of one service in stepship.yml (`services.<name>`). */
import { z } from 'zod';
import { capacitySchema, DEFAULT_DESIRED_COUNT, MAX_TASKS, scalingSchema } from './capacity-schema.js';
import { cpuSize, memorySize } from './fargate.js';
import type { SecretModel } from './model.js';
import {
  FIELD_PATH,
  HEALTH_CHECK_PATH,
  IMAGE_REFERENCE,
  MATCHER,
  PATH_PATTERN,
  type Pattern,
  REQUEST_PATH,
  RESOURCE_NAME,
  SECRET_SOURCE,
  TABLE_NAME,
  VARIABLE_NAME,
} from './names.js';
import {
  choice,
  duration,
  flag,
  integer,
  mapOf,
  oneOrList,
  strictObject,
  stringLike,
  text,
} from './values.js';

const textOf = ({ pattern, allowed }: Pattern) => text(pattern, allowed);

const buildArgs = mapOf(
  textOf(VARIABLE_NAME),
  stringLike(`text, a number or true/false; \${loadBalancer.dnsName} and \${loadBalancer.url} are replaced`),
  'a map of build argument names to values',
);

const buildObject = strictObject({
  context: text(/^.+$/, 'a folder path relative to stepship.yml')
    .default('.')
    .describe('The build context, relative to stepship.yml.'),
  dockerfile: text(/^.+$/, 'a file path relative to the context')
    .default('Dockerfile')
    .describe('The Dockerfile, relative to the context.'),
  args: buildArgs.default({}).describe('Build arguments (docker build --build-arg).'),
});

/** Kept as written (a folder, or the full form) so that problems name the key the user wrote. */
const build = z.union([text(/^.+$/, 'a folder path'), buildObject], {
  error: 'must be a folder path, or a map with the keys context, dockerfile, args',
});

export type ParsedBuild = z.output<typeof buildObject>;

export function buildSpec(build: string | ParsedBuild): ParsedBuild {
  return typeof build === 'string' ? { context: build, dockerfile: 'Dockerfile', args: {} } : build;
}

const matcher = z
  .union([z.int().min(200).max(499), z.string()], { error: `must be ${MATCHER.allowed}` })
  .transform(String)
  .pipe(textOf(MATCHER));

const healthCheck = strictObject({
  path: textOf(HEALTH_CHECK_PATH)
    .default('/')
    .describe('The path the load balancer requests from each task.'),
  interval: duration(5, 300).default(5).describe('Seconds between health checks.'),
  timeout: duration(2, 120)
    .default(3)
    .describe('Seconds without an answer that fail a check; less than interval.'),
  healthyThreshold: integer(2, 10).default(2).describe('Consecutive passes that make a target healthy.'),
  unhealthyThreshold: integer(2, 10)
    .default(2)
    .describe('Consecutive failures that make a target unhealthy.'),
  matcher: matcher.default('200').describe('HTTP codes counted healthy: 200, 200,302 or 200-299.'),
  gracePeriod: duration(0, 7200)
    .default(15)
    .describe('Seconds ECS ignores failed health checks of a new task.'),
});

const jsonExpectation = z.union(
  [
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    strictObject({ contains: z.union([z.string(), z.number()], { error: 'must be text or a number' }) }),
  ],
  {
    error: 'must be a value the field must equal (text, number, true/false, null), or { contains: <value> }',
  },
);

const httpCheck = strictObject({
  path: textOf(REQUEST_PATH).describe('Requested through the load balancer.'),
  status: integer(100, 599).default(200).describe('The expected HTTP status.'),
  json: mapOf(textOf(FIELD_PATH), jsonExpectation, 'a map of JSON field paths to expected values')
    .default({})
    .describe(`Expected fields of the JSON answer; "\${table:<name>}" stands for that table's name.`),
});

const identity = strictObject({
  path: textOf(REQUEST_PATH).describe('A route whose JSON answer names the task that served it.'),
  field: textOf(FIELD_PATH).describe("The field holding the task's private IP or task ARN."),
  kind: choice(['ip', 'arn']).default('ip').describe('What field holds.'),
  imageField: textOf(FIELD_PATH).optional().describe('A field holding the image digest the task runs.'),
});

const verify = strictObject({
  checks: z
    .array(httpCheck, { error: 'must be a list of checks (path, status, json)' })
    .optional()
    .describe('HTTP checks after each rollout; default: the health-check path, expecting its matcher.'),
  identity: identity.optional().describe('Checks that several distinct new tasks answer.'),
});

const secret = textOf(SECRET_SOURCE).transform(toSecretSource);

function toSecretSource(value: string): Omit<SecretModel, 'name'> {
  if (value.startsWith('ssm:')) return { source: 'ssm', reference: value.slice('ssm:'.length) };
  const parts = value.slice('secretsmanager:'.length).split(':');
  // An ARN is seven colon-separated parts; a name is one. What follows is the JSON key.
  const idLength = parts[0] === 'arn' ? 7 : 1;
  const id = parts.slice(0, idLength).join(':');
  const jsonKey = parts[idLength];
  return { source: 'secretsmanager', reference: jsonKey === undefined ? id : `${id}:${jsonKey}::` };
}

const tableAccess = oneOrList(choice(['read', 'write', 'list']), 3, 'read, write or list');

export const serviceSchema = strictObject({
  build: build.optional().describe('Build the image: a context folder, or { context, dockerfile, args }.'),
  image: textOf(IMAGE_REFERENCE).optional().describe('Deploy an existing image instead of building one.'),
  port: integer(1, 65535).describe('The port the container listens on.'),
  path: oneOrList(textOf(PATH_PATTERN), 5, 'an ALB path pattern')
    .optional()
    .describe('Path patterns routed to this service on the shared listener.'),
  priority: integer(1, 50000)
    .optional()
    .describe("The listener rule's priority; default: in manifest order."),
  default: flag().optional().describe('Requests no path rule matches go to this service.'),
  healthCheck: healthCheck.prefault({}).describe("The target group's health check."),
  // No zod default: whether it is written decides whether it conflicts with scaling.
  desiredCount: integer(1, MAX_TASKS)
    .optional()
    .meta({ default: DEFAULT_DESIRED_COUNT })
    .describe('Tasks to run (a fixed count; with scaling, use scaling.min and scaling.max).'),
  scaling: scalingSchema
    .optional()
    .describe('Autoscaling: min and max tasks, and the utilization or request rate to track.'),
  capacity: capacitySchema
    .optional()
    .describe(
      'Where tasks run: Fargate capacity providers (e.g. Fargate Spot), or EC2 instances; default: Fargate.',
    ),
  cpu: cpuSize.default(256).describe('Fargate CPU: units (256) or vCPU ("0.25 vCPU").'),
  memory: memorySize.default(512).describe('Memory: MiB (512) or "1 GB"; a valid Fargate pair with cpu.'),
  architecture: choice(['x86_64', 'arm64', 'X86_64', 'ARM64'])
    .transform((value) => value.toUpperCase() as 'X86_64' | 'ARM64')
    .default('X86_64')
    .describe('The CPU architecture of the tasks.'),
  environment: mapOf(textOf(VARIABLE_NAME), stringLike(), 'a map of variable names to values')
    .default({})
    .describe('Plain environment variables.'),
  secrets: mapOf(
    textOf(VARIABLE_NAME),
    secret,
    'a map of variable names to ssm:… or secretsmanager:… sources',
  )
    .default({})
    .describe('Environment variables ECS fills from SSM Parameter Store or Secrets Manager.'),
  tables: mapOf(textOf(TABLE_NAME), tableAccess, 'a map of table names to read, write, list')
    .default({})
    .describe("What the task role may do with the app's tables."),
  dependsOn: oneOrList(textOf(RESOURCE_NAME), 100, 'a service name')
    .default([])
    .describe('Services deployed before this one.'),
  deregistrationDelay: duration(0, 3600)
    .default(10)
    .describe('Seconds a deregistered target keeps draining.'),
  stopTimeout: duration(2, 120).default(15).describe('Seconds a stopping container gets before SIGKILL.'),
  verify: verify.optional().describe('What verification checks after a rollout.'),
});

export type ParsedService = z.output<typeof serviceSchema>;
