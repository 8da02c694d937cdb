import { ValidationError } from '../commons/errors.js';
import {
  type DeploymentRequest,
  deploymentRequestSchema,
  describeIssues,
  FIELD,
  requestBodySchema,
  S3_SOURCE,
  type Trigger,
} from '../contract/request.js';

export interface RequestContext {
  trigger: Trigger;
  /** Who asked: the caller's IAM ARN for the API; the payload's (or the trigger) for the CLI. */
  requester?: string;
  /** The Idempotency-Key header, for the API. */
  idempotencyKey?: string;
  /** The only source bucket CodeBuild may read. */
  sourceBucket?: string;
}

/**
 * Validates a request body (API or CLI) into the execution's request, with
 * the schema Prepare checks it against again; throws a ValidationError that
 * names every offending field and what it must be.
 */
export function parseRequest(body: unknown, ctx: RequestContext): DeploymentRequest {
  const parsed = requestBodySchema.safeParse(body);
  if (!parsed.success) throw new ValidationError(describeIssues(parsed.error));
  if (ctx.idempotencyKey !== undefined) {
    const header = FIELD.idempotencyKeyHeader.safeParse(ctx.idempotencyKey);
    if (!header.success) throw new ValidationError(describeIssues(header.error));
  }
  const { source } = parsed.data;
  if (source !== undefined && ctx.sourceBucket !== undefined) {
    const bucket = S3_SOURCE.exec(source)?.[1];
    if (bucket !== ctx.sourceBucket) {
      throw new ValidationError(
        `source must be in the stepship source bucket s3://${ctx.sourceBucket}/ (got bucket "${bucket}")`,
      );
    }
  }
  const request = deploymentRequestSchema.safeParse({
    ...parsed.data,
    trigger: ctx.trigger,
    requester: ctx.requester ?? parsed.data.requester ?? ctx.trigger,
    idempotencyKey: ctx.idempotencyKey ?? parsed.data.idempotencyKey,
  });
  if (!request.success) throw new ValidationError(describeIssues(request.error));
  return dropUndefined(request.data);
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
