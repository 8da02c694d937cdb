import { ValidationError } from '../commons/errors.js';
import { IMAGE_DIGEST, IMAGE_TAG } from '../commons/patterns.js';
import type { DeploymentRequest } from '../commons/types.js';
import { MAX_BODY_BYTES, parseRequest } from './parse-request.js';

/** The three ways a deployment starts, told apart by the event's shape. */
export type StartEvent =
  | { kind: 'api'; event: ApiEvent }
  | { kind: 'push'; event: EcrPushEvent }
  | { kind: 'cli'; event: Record<string, unknown> };

export interface ApiEvent {
  requestContext: { http?: { method?: string }; authorizer?: { iam?: { userArn?: string } } };
  headers?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
}

export interface EcrPushEvent {
  source: string;
  'detail-type': string;
  account?: string;
  detail: Record<string, unknown>;
}

export function classify(event: unknown): StartEvent {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new ValidationError('The event must be a JSON object');
  }
  const e = event as Record<string, unknown>;
  if (typeof e.requestContext === 'object' && e.requestContext !== null)
    return { kind: 'api', event: e as unknown as ApiEvent };
  if ('detail-type' in e || ('source' in e && 'detail' in e))
    return { kind: 'push', event: e as unknown as EcrPushEvent };
  return { kind: 'cli', event: e };
}

export interface Target {
  serviceName: string;
  repositoryName: string;
  sourceBucket?: string;
}

export function parseApiEvent(event: ApiEvent, target: Target): DeploymentRequest {
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
    sourceBucket: target.sourceBucket,
  });
}

/** An `ECR Image Action` event (PUSH, SUCCESS) for this service's repository. */
export function parsePushEvent(event: EcrPushEvent, target: Target): DeploymentRequest {
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
  if (d['repository-name'] !== target.repositoryName) {
    throw new ValidationError(
      `Repository "${String(d['repository-name'])}" is not ${target.serviceName}'s (${target.repositoryName})`,
    );
  }
  const digest = d['image-digest'];
  if (typeof digest !== 'string' || !IMAGE_DIGEST.test(digest)) {
    throw new ValidationError('The push event has no valid image-digest');
  }
  const tag = d['image-tag'];
  const imageTag = typeof tag === 'string' && IMAGE_TAG.test(tag) ? tag : undefined;
  return {
    service: target.serviceName,
    trigger: 'push',
    requester: `ecr-push:${typeof event.account === 'string' ? event.account : 'unknown-account'}`,
    imageDigest: digest,
    ...(imageTag ? { imageTag } : {}),
  };
}

export function parseCliEvent(event: Record<string, unknown>, target: Target): DeploymentRequest {
  return parseRequest(event, { trigger: 'cli', sourceBucket: target.sourceBucket });
}
