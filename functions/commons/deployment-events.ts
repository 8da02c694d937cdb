import type { Logger } from '@aws-lambda-powertools/logger';
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { type DeploymentEventDetail, type DeploymentEventType, STEPSHIP_SOURCE } from '../contract/events.js';
import type { DeploymentRecord } from './records.js';

/** Where stepship's own events go: the deployment-record changes users route to SNS, chat, automation. */
export interface EventSink {
  emit(type: DeploymentEventType, record: DeploymentRecord): Promise<void>;
}

/** The event's detail: who asked for what, and how it went, from the record. */
export function detailOf(record: DeploymentRecord): DeploymentEventDetail {
  const detail: DeploymentEventDetail = {
    service: record.service,
    deploymentId: record.deploymentId,
    status: record.status,
    image: record.imageUri ?? record.imageDigest ?? record.imageTag,
    imageTag: record.imageTag,
    imageDigest: record.imageDigest,
    trigger: record.trigger,
    requester: record.requester,
    reason: record.reason,
    executionArn: record.executionArn,
    error: record.error,
    cause: record.cause,
    rolledBackTo: record.rolledBackTo,
    supersededBy: record.supersededBy,
    queuedAt: record.queuedAt,
    startedAt: record.startedAt,
    finishedAt: record.finishedAt,
    timings: record.timings,
  };
  return Object.fromEntries(
    Object.entries(detail).filter(([, v]) => v !== undefined),
  ) as unknown as DeploymentEventDetail;
}

/**
 * Emits stepship's events to an EventBridge bus. An event is a notice, not
 * part of the deployment: after the SDK's own retries, a failure to emit is
 * logged as an error and the step goes on, so a deployment never fails (or
 * rolls back) because a notification could not be sent.
 */
export class EventBridgeSink implements EventSink {
  constructor(
    private readonly events: EventBridgeClient,
    private readonly busName: string,
    private readonly logger: Logger,
  ) {}

  async emit(type: DeploymentEventType, record: DeploymentRecord): Promise<void> {
    try {
      const out = await this.events.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: this.busName,
              Source: STEPSHIP_SOURCE,
              DetailType: type,
              Detail: JSON.stringify(detailOf(record)),
              Resources: record.executionArn ? [record.executionArn] : [],
            },
          ],
        }),
      );
      const failed = out.Entries?.find((e) => e.ErrorCode);
      if (out.FailedEntryCount || failed)
        this.logger.error('event not emitted', {
          type,
          error: failed?.ErrorCode,
          message: failed?.ErrorMessage,
        });
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      this.logger.error('event not emitted', { type, error: e.name, message: e.message });
    }
  }
}

/** For callers that have no bus (direct executions in tests). */
export const NO_EVENTS: EventSink = { emit: async () => undefined };
