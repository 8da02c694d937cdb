import { ValidationError } from '../commons/errors.js';
import { DEPLOYMENT_REQUEST } from '../contract/events.js';
import {
  type DeploymentRequest,
  deploymentRequestSchema,
  describeIssues,
  IMAGE_DIGEST,
  IMAGE_TAG,
  MAX_BODY_BYTES,
} from '../contract/request.js';
import { parseRequest } from './parse-request.js';

/** The ways a deployment starts, told apart by the event's shape. */
export type StartEvent =
  | { kind: 'api'; event: ApiEvent }
  | { kind: 'push'; event: EcrPushEvent }
  | { kind: 'event'; event: EventBridgeEvent }
  | { kind: 'cli'; event: Record<string, unknown> };

/** An EventBridge event as a rule delivers it. */
export interface EventBridgeEvent {
  id?: string;
  source: string;
  'detail-type': string;
  account?: string;
  detail: Record<string, unknown>;
}

export interface ApiEvent {
  requestContext: { http?: { method?: string }; authorizer?: { iam?: { userArn?: string } } };
  headers?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
}

export type EcrPushEvent = EventBridgeEvent;

/** What start-deployment knows of the app: its services, their repositories, the source bucket. */
export interface ServiceDirectory {
  /** Service name → the name of its ECR repository. */
  repositories: Record<string, string>;
  sourceBucket?: string;
}

/** The kind of a start event, without judging it; undefined for anything that isn't a JSON object. */
export function kindOf(event: unknown): StartEvent['kind'] | undefined {
  try {
    return classify(event).kind;
  } catch {
    return undefined;
  }
}

/** API and CLI callers read an HTTP-shaped answer; EventBridge reads none. */
export function answersHttp(event: unknown): boolean {
  const kind = kindOf(event);
  return kind !== 'push' && kind !== 'event';
}

export function classify(event: unknown): StartEvent {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new ValidationError('The event must be a JSON object');
  }
  const e = event as Record<string, unknown>;
  if (typeof e.requestContext === 'object' && e.requestContext !== null)
    return { kind: 'api', event: e as unknown as ApiEvent };
  if (e['detail-type'] === DEPLOYMENT_REQUEST)
    return { kind: 'event', event: e as unknown as EventBridgeEvent };
  if ('detail-type' in e || ('source' in e && 'detail' in e))
    return { kind: 'push', event: e as unknown as EcrPushEvent };
  return { kind: 'cli', event: e };
}

export function parseApiEvent(event: ApiEvent, services: ServiceDirectory): DeploymentRequest {
  const raw = event.isBase64Encoded
    ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
    : (event.body ?? '');
  if (Buffer.byteLength(raw) > MAX_BODY_BYTES) {
    throw new ValidationError(`The request body is larger than ${MAX_BODY_BYTES} bytes`);
  }
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new ValidationError('The request body must be JSON, e.g. {"service":"web","imageTag":"v2"}');
  }
  const headers = Object.fromEntries(
    Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
  );
  return parseRequest(body, {
    trigger: 'api',
    requester: event.requestContext.authorizer?.iam?.userArn ?? 'unknown-iam-principal',
    idempotencyKey: headers['idempotency-key'],
    sourceBucket: services.sourceBucket,
  });
}

/** An `ECR Image Action` event (PUSH, SUCCESS) deploys the service whose repository it names. */
export function parsePushEvent(event: EcrPushEvent, services: ServiceDirectory): DeploymentRequest {
  if (event.source !== 'aws.ecr' || event['detail-type'] !== 'ECR Image Action') {
    throw new ValidationError(
      `Unsupported event: source "${String(event.source)}", detail-type "${String(event['detail-type'])}"; expected aws.ecr "ECR Image Action"`,
    );
  }
  const d = typeof event.detail === 'object' && event.detail !== null ? event.detail : {};
  if (d['action-type'] !== 'PUSH' || d.result !== 'SUCCESS') {
    throw new ValidationError(
      `Only successful pushes deploy (got action-type "${String(d['action-type'])}", result "${String(d.result)}")`,
    );
  }
  const repository = d['repository-name'];
  const service = Object.entries(services.repositories).find(([, repo]) => repo === repository)?.[0];
  if (!service) {
    const known = Object.entries(services.repositories).map(([s, r]) => `${r} (${s})`);
    throw new ValidationError(
      `Repository "${String(repository)}" is not the repository of a service this pipeline deploys: ${known.join(', ')}`,
    );
  }
  const digest = d['image-digest'];
  if (typeof digest !== 'string' || !IMAGE_DIGEST.test(digest)) {
    throw new ValidationError('The push event has no valid image-digest');
  }
  const tag = d['image-tag'];
  const imageTag = typeof tag === 'string' && IMAGE_TAG.test(tag) ? tag : undefined;
  const account =
    typeof event.account === 'string' && /^\d{12}$/.test(event.account) ? event.account : undefined;
  // Through the schema Prepare applies, so nothing started here is refused there.
  const request = deploymentRequestSchema.safeParse({
    service,
    trigger: 'push',
    requester: `ecr-push:${account ?? 'unknown-account'}`,
    imageDigest: digest,
    ...(imageTag ? { imageTag } : {}),
  });
  if (!request.success) throw new ValidationError(describeIssues(request.error));
  return request.data;
}

export function parseCliEvent(event: Record<string, unknown>, services: ServiceDirectory): DeploymentRequest {
  return parseRequest(event, { trigger: 'cli', sourceBucket: services.sourceBucket });
}
