/**
 * How many tasks a service runs and on what: autoscaling (`scaling`), and
 * the capacity its tasks are placed on (`capacity`: Fargate, Fargate Spot or
 * EC2 instances). Rules relating these keys to others are in capacity-checks.ts.
 */
import { z } from 'zod';
import { INSTANCE_TYPE } from './names.js';
import { choice, duration, integer, strictObject, text } from './values.js';

/** The tasks a service runs when it declares no count and no scaling. */
export const DEFAULT_DESIRED_COUNT = 2;

/** The most tasks (and instances) a service may declare: the range desiredCount always had. */
export const MAX_TASKS = 100;

export const scalingSchema = strictObject({
  min: integer(1, MAX_TASKS).describe('The fewest tasks; also the count a new service starts from.'),
  max: integer(1, MAX_TASKS).describe('The most tasks; at least min.'),
  cpu: integer(1, 100).optional().describe("Target average CPU utilization, in percent of the tasks' CPU."),
  memory: integer(1, 100)
    .optional()
    .describe("Target average memory utilization, in percent of the tasks' memory."),
  requestsPerTarget: integer(1, 1_000_000)
    .optional()
    .describe('Target requests per task per minute, counted by the load balancer.'),
  scaleInCooldown: duration(0, 3600)
    .default(300)
    .describe('Seconds after a scale-in before another scale-in.'),
  scaleOutCooldown: duration(0, 3600)
    .default(60)
    .describe('Seconds after a scale-out before another scale-out.'),
});

export const FARGATE_PROVIDERS = ['FARGATE', 'FARGATE_SPOT'] as const;

const fargateProvider = strictObject({
  provider: choice(FARGATE_PROVIDERS).describe('FARGATE (on demand) or FARGATE_SPOT.'),
  weight: integer(0, 1000)
    .default(1)
    .describe('The share of tasks beyond the bases placed on this provider, relative to the others.'),
  base: integer(0, 100_000).default(0).describe('Tasks placed on this provider before weights apply.'),
});

const ec2Capacity = strictObject({
  ec2: strictObject({
    instanceType: text(INSTANCE_TYPE.pattern, INSTANCE_TYPE.allowed).describe(
      'The EC2 instance type, e.g. t3.small (x86_64) or t4g.small (arm64).',
    ),
    min: integer(0, MAX_TASKS).default(1).describe('The fewest instances.'),
    max: integer(1, MAX_TASKS).describe('The most instances; at least min.'),
  }).describe('EC2 instances of an Auto Scaling group, tasks in bridge mode.'),
});

const CAPACITY_ERROR =
  'must be a list of Fargate capacity providers ({ provider, weight, base }), or { ec2: { instanceType, min, max } }';

export const capacitySchema = z.union(
  [
    z
      .array(fargateProvider, { error: CAPACITY_ERROR })
      .min(1, { error: 'must name at least one provider' })
      .max(FARGATE_PROVIDERS.length, { error: 'must name each of FARGATE and FARGATE_SPOT at most once' }),
    ec2Capacity,
  ],
  { error: CAPACITY_ERROR },
);

export type ParsedScaling = z.output<typeof scalingSchema>;
export type ParsedCapacity = z.output<typeof capacitySchema>;

/**
 * Graviton instance families carry a `g` among the letters after their
 * generation (t4g, m7g, c7gn, r8gd); a `g` before it is a GPU family (g5).
 */
export function instanceArchitecture(instanceType: string): 'X86_64' | 'ARM64' {
  const family = instanceType.split('.')[0] ?? '';
  const attributes = /^[a-z-]+\d+([a-z-]*)/.exec(family)?.[1] ?? '';
  return attributes.includes('g') ? 'ARM64' : 'X86_64';
}
