import type { ECSClient } from '@aws-sdk/client-ecs';
import { describeService } from '../commons/ecs-service.js';
import type { TargetEnv } from '../commons/env.js';
import { ValidationError } from '../commons/errors.js';
import { IMAGE_DIGEST, IMAGE_TAG, S3_SOURCE } from '../commons/patterns.js';
import type { RecordStore } from '../commons/records.js';
import type { DeploymentRequest, ExecutionContext, PreparedDeployment } from '../commons/types.js';

export interface PrepareInput {
  request: DeploymentRequest;
  execution: ExecutionContext;
}

export interface PrepareDeps {
  ecs: ECSClient;
  records: RecordStore;
  target: TargetEnv;
  lockTtlSeconds: number;
  now?: () => Date;
}

/**
 * Resolves the target, takes the per-service lock and writes the STARTED
 * record. The execution may have been started directly (not through
 * start-deployment), so the request is checked again here.
 */
export async function prepare(input: PrepareInput, deps: PrepareDeps): Promise<PreparedDeployment> {
  const { request, execution } = input;
  checkRequest(request, deps.target);
  const now = deps.now?.() ?? new Date();
  // The service must exist before anything is locked or recorded.
  await describeService(deps.ecs, deps.target.clusterName, deps.target.serviceName);
  await deps.records.acquireLock(deps.target.serviceName, execution.Id, deps.lockTtlSeconds, now);

  const needsBuild = request.source !== undefined;
  const imageTag = needsBuild ? buildTag(execution.Name) : request.imageTag;
  await deps.records.putRecord({
    deploymentId: execution.Name,
    service: deps.target.serviceName,
    executionArn: execution.Id,
    startedAt: execution.StartTime || now.toISOString(),
    status: 'STARTED',
    trigger: request.trigger,
    requester: request.requester,
    imageTag,
    imageDigest: request.imageDigest,
  });
  const t = deps.target;
  return {
    deploymentId: execution.Name,
    executionArn: execution.Id,
    service: t.serviceName,
    cluster: t.clusterName,
    containerName: t.containerName,
    repositoryName: t.repositoryName,
    repositoryUri: t.repositoryUri,
    appTableName: t.appTableName,
    loadBalancerUrl: t.loadBalancerUrl,
    targetGroupArn: t.targetGroupArn,
    desiredCount: t.desiredCount,
    needsBuild,
    ...(imageTag ? { imageTag } : {}),
    ...(request.imageDigest ? { imageDigest: request.imageDigest } : {}),
    ...(request.source ? { sourceLocation: request.source.slice('s3://'.length) } : {}),
    preparedAt: now.getTime(),
  };
}

/** Tags of stepship's own builds start "stepship-", which the auto-deploy rule ignores. */
export function buildTag(executionName: string): string {
  return `stepship-${executionName.slice(-40)}`.replace(/[^A-Za-z0-9_.-]/g, '-');
}

function checkRequest(
  request: DeploymentRequest | undefined,
  target: TargetEnv,
): asserts request is DeploymentRequest {
  if (!request || typeof request !== 'object')
    throw new ValidationError('The execution input must be {"request": {...}}');
  if (request.service !== target.serviceName) {
    throw new ValidationError(
      `Unknown service "${String(request.service)}": this pipeline deploys "${target.serviceName}"`,
    );
  }
  if (request.imageTag !== undefined && !IMAGE_TAG.test(request.imageTag))
    throw new ValidationError('imageTag is malformed');
  if (request.imageDigest !== undefined && !IMAGE_DIGEST.test(request.imageDigest)) {
    throw new ValidationError('imageDigest is malformed');
  }
  if (request.source !== undefined && !S3_SOURCE.test(request.source))
    throw new ValidationError('source is malformed');
  if (!request.source && !request.imageTag && !request.imageDigest) {
    throw new ValidationError('The request names no image (imageTag or imageDigest) and no source');
  }
}
