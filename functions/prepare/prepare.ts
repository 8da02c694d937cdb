import type { ECSClient } from '@aws-sdk/client-ecs';
import { type EventSink, NO_EVENTS } from '../commons/deployment-events.js';
import { describeService } from '../commons/ecs-service.js';
import { ValidationError } from '../commons/errors.js';
import type { DeploymentRecord, RecordStore } from '../commons/records.js';
import { DEPLOYMENT_EVENT } from '../contract/events.js';
import { type DeploymentRequest, deploymentRequestSchema, describeIssues } from '../contract/request.js';
import type {
  DeployTarget,
  DeployTargets,
  ExecutionContext,
  PreparedDeployment,
} from '../contract/shapes.js';
import { STEPSHIP_TAG_PREFIX } from '../contract/tags.js';
import { checkGivenRevision } from './given-revision.js';

export interface PrepareInput {
  request: unknown;
  execution: ExecutionContext;
  /** The app's services, as the state machine's definition carries them. */
  targets: DeployTargets;
}

export interface PrepareDeps {
  ecs: ECSClient;
  records: RecordStore;
  lockTtlSeconds: number;
  events?: EventSink;
  now?: () => Date;
}

/**
 * Resolves the requested service's target (and the revision a rollback
 * names), takes its lock (start-deployment may have taken it for this
 * execution already) and writes the STARTED record. The execution may have been started directly (not through
 * start-deployment), so the request is checked again, with the same schema.
 */
export async function prepare(input: PrepareInput, deps: PrepareDeps): Promise<PreparedDeployment> {
  const { execution } = input;
  const request = checkRequest(input.request);
  const target = resolveTarget(request, input.targets);
  const now = deps.now?.() ?? new Date();
  // The service must exist, and a named revision be deployable, before anything is locked or recorded.
  const service = await describeService(deps.ecs, target.cluster, target.service);
  const given = request.taskDefinition
    ? await checkGivenRevision(deps.ecs, target, request.taskDefinition, service.taskDefinition ?? '')
    : undefined;
  await deps.records.acquireLock(target.service, execution.Id, deps.lockTtlSeconds, now);

  const needsBuild = request.source !== undefined;
  const imageTag = needsBuild ? buildTag(execution.Name) : request.imageTag;
  const imageDigest = given?.imageDigest ?? request.imageDigest;
  const record: DeploymentRecord = {
    deploymentId: execution.Name,
    service: target.service,
    executionArn: execution.Id,
    startedAt: execution.StartTime || now.toISOString(),
    status: 'STARTED',
    trigger: request.trigger,
    requester: request.requester,
    imageTag,
    imageDigest,
    reason: request.reason,
  };
  // An update, not a put: what start-deployment recorded (the request, when it was queued) stays.
  // And only while the deployment is open: a StopExecution that came while this step ran has had
  // its outcome recorded (record-outcome) and the lock freed, which a late write must not undo.
  const open = await deps.records.updateRecordIf(record.deploymentId, record, ['QUEUED', 'STARTED'], {
    orAbsent: true,
  });
  if (!open) {
    await deps.records.releaseLock(target.service, execution.Id);
    throw new Error(`Deployment ${record.deploymentId} has already ended: its record is final`);
  }
  await (deps.events ?? NO_EVENTS).emit(DEPLOYMENT_EVENT.started, record);
  return {
    deploymentId: execution.Name,
    executionArn: execution.Id,
    target,
    needsBuild,
    ...(imageTag ? { imageTag } : {}),
    ...(imageDigest ? { imageDigest } : {}),
    ...(request.source ? { sourceLocation: request.source.slice('s3://'.length) } : {}),
    ...(given ? { revision: given.revision } : {}),
    preparedAt: now.getTime(),
  };
}

/** Tags of stepship's own builds carry the prefix the auto-deploy rule ignores. */
export function buildTag(executionName: string): string {
  return `${STEPSHIP_TAG_PREFIX}${executionName.slice(-40)}`.replace(/[^A-Za-z0-9_.-]/g, '-');
}

function checkRequest(request: unknown): DeploymentRequest {
  if (request === undefined) throw new ValidationError('The execution input must be {"request": {...}}');
  const parsed = deploymentRequestSchema.safeParse(request);
  if (!parsed.success) throw new ValidationError(describeIssues(parsed.error));
  return parsed.data;
}

function resolveTarget(request: DeploymentRequest, targets: DeployTargets): DeployTarget {
  const target = Object.hasOwn(targets, request.service) ? targets[request.service] : undefined;
  if (!target) {
    const known = Object.keys(targets).map((s) => `"${s}"`);
    throw new ValidationError(
      `Unknown service "${request.service}": this pipeline deploys ${known.join(', ') || 'no service'}`,
    );
  }
  return target;
}
