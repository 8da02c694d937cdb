import { ValidationError } from '../commons/errors.js';
import {
  type DeploymentRequest,
  describeIssues,
  IDEMPOTENCY_KEY,
  IMAGE_DIGEST,
  REQUESTER,
  requestEventDetailSchema,
  truncate,
} from '../contract/request.js';
import type { EventBridgeEvent, ServiceDirectory } from './parse-event.js';
import { parseRequest } from './parse-request.js';

/**
 * A `Stepship Deployment Request` event, validated as an API request is.
 * The requester is who sent it: the account and the source the sender
 * chose. Without an idempotency key of its own, the event's id is the key,
 * so EventBridge delivering the same event twice starts one deployment.
 */
export function parseRequestEvent(event: EventBridgeEvent, services: ServiceDirectory): DeploymentRequest {
  const detail = requestEventDetailSchema.safeParse(event.detail);
  if (!detail.success) throw new ValidationError(describeIssues(detail.error));
  const { image, ...rest } = detail.data;
  const account =
    typeof event.account === 'string' && /^\d{12}$/.test(event.account) ? event.account : undefined;
  const requester = `event:${account ?? 'unknown-account'}/${String(event.source)}`;
  if (!REQUESTER.test(requester)) {
    throw new ValidationError(
      `The event's source "${truncate(String(event.source))}" cannot name a requester: use letters, digits and . _ - / : @ + = ,`,
    );
  }
  const eventId = typeof event.id === 'string' && IDEMPOTENCY_KEY.test(event.id) ? event.id : undefined;
  const body = {
    ...rest,
    ...(IMAGE_DIGEST.test(image) ? { imageDigest: image } : { imageTag: image }),
    idempotencyKey: rest.idempotencyKey ?? eventId,
  };
  return parseRequest(body, { trigger: 'event', requester, sourceBucket: services.sourceBucket });
}
