import { ClientException, DescribeTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { ValidationError } from '../commons/errors.js';
import { IMAGE_DIGEST } from '../contract/request.js';
import type { DeployTarget, GivenRevision } from '../contract/shapes.js';

export interface CheckedRevision {
  revision: GivenRevision;
  /** The digest the revision's container runs: ResolveImage checks the repository still holds it. */
  imageDigest: string;
}

/** `…:task-definition/web-web:3` or `web-web:3` → `web-web`. */
const familyOf = (ref: string): string => ref.replace(/^.*:task-definition\//, '').replace(/:\d+$/, '');

/**
 * Checks that a requested revision can be deployed as it is: it exists, is
 * still ACTIVE (ECS refuses an INACTIVE one), belongs to the service's own
 * family, and runs the deployed container from the service's repository,
 * pinned by digest — as every revision stepship registered does. Anything
 * else (another service's revision, the stack's bootstrap placeholder) is
 * refused before the lock is taken.
 */
export async function checkGivenRevision(
  ecs: ECSClient,
  target: DeployTarget,
  ref: string,
  currentTaskDefinitionArn: string,
): Promise<CheckedRevision> {
  const definition = await describe(ecs, ref);
  const arn = definition?.taskDefinitionArn;
  if (!definition || !arn) throw new ValidationError(`Task definition ${ref} not found`);
  const family = familyOf(currentTaskDefinitionArn);
  if (definition.family !== family)
    throw new ValidationError(
      `${arn} is a revision of ${definition.family}, not of ${target.service}'s task definition family ${family}`,
    );
  if (definition.status === 'INACTIVE')
    throw new ValidationError(
      `${arn} is deregistered (INACTIVE), and ECS runs no new tasks of it; deploy its image instead (imageDigest)`,
    );
  const container = definition.containerDefinitions?.find((c) => c.name === target.containerName);
  const image = container?.image ?? '';
  const digest = image.startsWith(`${target.repositoryUri}@`)
    ? image.slice(target.repositoryUri.length + 1)
    : '';
  if (!IMAGE_DIGEST.test(digest))
    throw new ValidationError(
      `${arn} runs ${image || `no container named ${target.containerName}`}, not an image of ${target.repositoryUri} pinned by digest: only revisions stepship deployed can be deployed again as they are`,
    );
  return {
    revision: { taskDefinitionArn: arn, previousTaskDefinitionArn: currentTaskDefinitionArn },
    imageDigest: digest,
  };
}

async function describe(ecs: ECSClient, ref: string) {
  try {
    const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref }));
    return out.taskDefinition;
  } catch (err) {
    // ECS answers an unknown revision with a ClientException ("Unable to describe task definition").
    if (err instanceof ClientException)
      throw new ValidationError(`Task definition ${ref} not found: ${err.message}`);
    throw err;
  }
}
