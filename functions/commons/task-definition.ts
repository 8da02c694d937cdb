import {
  DescribeTaskDefinitionCommand,
  type ECSClient,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  type Tag,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { TargetNotFoundError } from './errors.js';

/** Fields DescribeTaskDefinition returns that RegisterTaskDefinition does not accept. */
const READ_ONLY_FIELDS = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
] as const;

/** Docker label marking the placeholder container the stack starts with (see README). */
export const BOOTSTRAP_LABEL = 'stepship.bootstrap';

export async function describeTaskDefinition(
  ecs: ECSClient,
  arn: string,
): Promise<{ taskDefinition: TaskDefinition; tags: Tag[] }> {
  const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }));
  if (!out.taskDefinition) throw new TargetNotFoundError(`Task definition ${arn} not found`);
  return { taskDefinition: out.taskDefinition, tags: out.tags ?? [] };
}

/** A RegisterTaskDefinition request that reproduces `taskDefinition` exactly. */
export function toRegisterInput(
  taskDefinition: TaskDefinition,
  tags: Tag[],
): RegisterTaskDefinitionCommandInput {
  const copy = structuredClone(taskDefinition) as Record<string, unknown>;
  for (const field of READ_ONLY_FIELDS) delete copy[field];
  return { ...(copy as unknown as RegisterTaskDefinitionCommandInput), ...(tags.length > 0 ? { tags } : {}) };
}

export async function registerTaskDefinition(
  ecs: ECSClient,
  input: RegisterTaskDefinitionCommandInput,
): Promise<string> {
  const out = await ecs.send(new RegisterTaskDefinitionCommand(input));
  const arn = out.taskDefinition?.taskDefinitionArn;
  if (!arn) throw new Error('RegisterTaskDefinition returned no task definition ARN');
  return arn;
}
