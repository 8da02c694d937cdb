import { ValidationError } from '../commons/errors.js';
import {
  IDEMPOTENCY_KEY,
  IMAGE_DIGEST,
  IMAGE_TAG,
  REQUESTER,
  S3_SOURCE,
  SERVICE_NAME,
} from '../commons/patterns.js';
import type { DeploymentRequest, Trigger } from '../commons/types.js';

/** What the API accepts in a POST /deployments body (and the CLI in its payload). */
const REQUEST_FIELDS = [
  'service',
  'imageTag',
  'imageDigest',
  'source',
  'idempotencyKey',
  'requester',
] as const;
export const MAX_BODY_BYTES = 16 * 1024;

export interface RequestContext {
  trigger: Trigger;
  /** Who asked: the caller's IAM ARN for the API; free text for the CLI. */
  requester?: string;
  /** The Idempotency-Key header, for the API. */
  idempotencyKey?: string;
  /** The only source bucket CodeBuild may read. */
  sourceBucket?: string;
}

/**
 * Validates a request body (API or CLI) into a DeploymentRequest; throws a
 * ValidationError that names the offending field and what it must be.
 */
export function parseRequest(body: unknown, ctx: RequestContext): DeploymentRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError('The request must be a JSON object');
  }
  const input = body as Record<string, unknown>;
  const unknownFields = Object.keys(input).filter((k) => !(REQUEST_FIELDS as readonly string[]).includes(k));
  if (unknownFields.length > 0) {
    throw new ValidationError(
      `Unknown field(s) ${unknownFields.map((f) => `"${truncate(f)}"`).join(', ')}; allowed: ${REQUEST_FIELDS.join(', ')}`,
    );
  }
  const service = field(
    input,
    'service',
    SERVICE_NAME,
    'a service name (a letter, then up to 31 letters, digits or hyphens)',
    true,
  );
  const imageTag = field(
    input,
    'imageTag',
    IMAGE_TAG,
    'an image tag (up to 128 of A-Z a-z 0-9 _ . -, not starting with . or -)',
  );
  const imageDigest = field(
    input,
    'imageDigest',
    IMAGE_DIGEST,
    'an image digest: "sha256:" and 64 lowercase hex digits',
  );
  const source = field(
    input,
    'source',
    S3_SOURCE,
    'an S3 URL of a zipped service folder, s3://bucket/key.zip',
  );
  const key =
    ctx.idempotencyKey ?? field(input, 'idempotencyKey', IDEMPOTENCY_KEY, '1–64 of A-Z a-z 0-9 _ -');
  if (ctx.idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(ctx.idempotencyKey)) {
    throw new ValidationError('The Idempotency-Key header must be 1–64 of A-Z a-z 0-9 _ -');
  }
  const requester =
    ctx.requester ??
    field(input, 'requester', REQUESTER, 'up to 256 of A-Z a-z 0-9 : / @ . _ + = , -') ??
    ctx.trigger;

  if (imageTag !== undefined && imageDigest !== undefined) {
    throw new ValidationError('Give imageTag or imageDigest, not both');
  }
  if (source === undefined && imageTag === undefined && imageDigest === undefined) {
    throw new ValidationError('Give imageTag or imageDigest (or a source to build)');
  }
  if (source !== undefined && (imageTag !== undefined || imageDigest !== undefined)) {
    throw new ValidationError('Give source alone: stepship tags what it builds as stepship-<deployment>');
  }
  if (source !== undefined && ctx.sourceBucket !== undefined) {
    const bucket = S3_SOURCE.exec(source)?.[1];
    if (bucket !== ctx.sourceBucket) {
      throw new ValidationError(
        `source must be in the stepship source bucket s3://${ctx.sourceBucket}/ (got bucket "${bucket}")`,
      );
    }
  }
  return dropUndefined({
    service,
    trigger: ctx.trigger,
    requester,
    imageTag,
    imageDigest,
    source,
    idempotencyKey: key,
  });
}

function field(
  input: Record<string, unknown>,
  name: string,
  pattern: RegExp,
  describe: string,
  required: true,
): string;
function field(
  input: Record<string, unknown>,
  name: string,
  pattern: RegExp,
  describe: string,
): string | undefined;
function field(
  input: Record<string, unknown>,
  name: string,
  pattern: RegExp,
  describe: string,
  required = false,
): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) {
    if (required) throw new ValidationError(`${name} is required: ${describe}`);
    return undefined;
  }
  if (typeof value !== 'string')
    throw new ValidationError(`${name} must be a string (${describe}), got ${typeof value}`);
  if (!pattern.test(value))
    throw new ValidationError(`${name} must be ${describe}; got "${truncate(value)}"`);
  return value;
}

/** Echoes at most 64 characters of bad input, with control characters made visible. */
export function truncate(value: string): string {
  const visible = JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value).slice(1, -1);
  return visible;
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
