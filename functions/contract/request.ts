/**
 * The one schema of a deployment request. The HTTP API's body and the CLI's
 * payload are parsed with `requestBodySchema`; the execution input that
 * start-deployment writes, and that Prepare checks again (an execution may be
 * started without start-deployment), with `deploymentRequestSchema`. Every
 * message names the field, says what is allowed and echoes bad input safely.
 * (zod/mini: the same validation as zod's classic API for a 20th of its
 * bundle size, which every function parsing a request loads at cold start.)
 */
import * as z from 'zod/mini';

/** A letter, then letters, digits or hyphens: ECS service names as stepship creates them. */
export const SERVICE_NAME = /^[a-zA-Z][a-zA-Z0-9-]{0,31}$/;
/** Docker/ECR tag grammar. */
export const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
export const IMAGE_DIGEST = /^sha256:[a-f0-9]{64}$/;
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{1,64}$/;
/** `s3://bucket/key.zip`: S3's bucket naming and a conservative key alphabet. */
export const S3_SOURCE = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/([A-Za-z0-9!_.*'()/-]{1,1000}\.zip)$/;
/** Printable ASCII without quotes, backslashes, spaces or shell metacharacters. */
export const REQUESTER = /^[A-Za-z0-9:/@._+=,-]{1,256}$/;

export const MAX_BODY_BYTES = 16 * 1024;
export const TRIGGERS = ['api', 'push', 'cli'] as const;

/** Echoes at most 64 characters of bad input, with control characters and quotes made visible. */
export function truncate(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value).slice(1, -1);
}

const describeInput = (input: unknown): string =>
  typeof input === 'string' ? `"${truncate(input)}"` : input === null ? 'null' : typeof input;

/** A string field that must match `pattern`; `describe` says what it must be. */
function patterned(label: string, pattern: RegExp, describe: string) {
  return z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? `${label} is required: ${describe}`
          : `${label} must be a string (${describe}), got ${describeInput(issue.input)}`,
    })
    .check(
      z.regex(pattern, {
        error: (issue) => `${label} must be ${describe}; got ${describeInput(issue.input)}`,
      }),
    );
}

export const FIELD = {
  service: patterned(
    'service',
    SERVICE_NAME,
    'a service name (a letter, then up to 31 letters, digits or hyphens)',
  ),
  imageTag: patterned(
    'imageTag',
    IMAGE_TAG,
    'an image tag (up to 128 of A-Z a-z 0-9 _ . -, not starting with . or -)',
  ),
  imageDigest: patterned(
    'imageDigest',
    IMAGE_DIGEST,
    'an image digest: "sha256:" and 64 lowercase hex digits',
  ),
  source: patterned('source', S3_SOURCE, 'an S3 URL of a zipped service folder, s3://bucket/key.zip'),
  idempotencyKey: patterned('idempotencyKey', IDEMPOTENCY_KEY, '1–64 of A-Z a-z 0-9 _ -'),
  idempotencyKeyHeader: patterned('The Idempotency-Key header', IDEMPOTENCY_KEY, '1–64 of A-Z a-z 0-9 _ -'),
  requester: patterned('requester', REQUESTER, 'up to 256 of A-Z a-z 0-9 : / @ . _ + = , -'),
  trigger: z.enum(TRIGGERS, {
    error: (issue) => `trigger must be one of ${TRIGGERS.join(', ')}; got ${describeInput(issue.input)}`,
  }),
};

/**
 * What to deploy: exactly one of a tag, a digest or a source to build. A
 * push names the digest it pushed and, for the record, the tag it pushed it
 * under; the digest is what deploys.
 */
function checkImageChoice(
  request: { imageTag?: string; imageDigest?: string; source?: string; trigger?: string },
  ctx: z.core.$RefinementCtx,
): void {
  const problem =
    request.imageTag !== undefined && request.imageDigest !== undefined && request.trigger !== 'push'
      ? 'Give imageTag or imageDigest, not both'
      : request.source === undefined && request.imageTag === undefined && request.imageDigest === undefined
        ? 'Give imageTag or imageDigest (or a source to build)'
        : request.source !== undefined &&
            (request.imageTag !== undefined || request.imageDigest !== undefined)
          ? 'Give source alone: stepship tags what it builds as stepship-<deployment>'
          : undefined;
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
}

/** JSON null stands for "not given", as the API has always accepted it. */
const withoutNulls = (input: unknown): unknown =>
  typeof input === 'object' && input !== null && !Array.isArray(input)
    ? Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null))
    : input;

function requestObject<Shape extends z.core.$ZodLooseShape>(shape: Shape, what: string) {
  const allowed = Object.keys(shape);
  return z.pipe(
    z.transform(withoutNulls),
    z.strictObject(shape, {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `Unknown field(s) ${issue.keys.map((k) => `"${truncate(k)}"`).join(', ')}; allowed: ${allowed.join(', ')}`
          : `${what} must be a JSON object`,
    }),
  );
}

/** POST /deployments' body, and the CLI's payload. */
export const requestBodySchema = requestObject(
  {
    service: FIELD.service,
    imageTag: z.optional(FIELD.imageTag),
    imageDigest: z.optional(FIELD.imageDigest),
    source: z.optional(FIELD.source),
    idempotencyKey: z.optional(FIELD.idempotencyKey),
    requester: z.optional(FIELD.requester),
  },
  'The request',
).check(z.superRefine(checkImageChoice));

export type RequestBody = z.infer<typeof requestBodySchema>;

/** The execution input's `request`: a body completed with its trigger and requester. */
export const deploymentRequestSchema = requestObject(
  {
    service: FIELD.service,
    trigger: FIELD.trigger,
    requester: FIELD.requester,
    imageTag: z.optional(FIELD.imageTag),
    imageDigest: z.optional(FIELD.imageDigest),
    source: z.optional(FIELD.source),
    idempotencyKey: z.optional(FIELD.idempotencyKey),
  },
  'The execution input\'s "request"',
).check(z.superRefine(checkImageChoice));

/** A validated deployment request: the execution's input is `{ request }`. */
export type DeploymentRequest = z.infer<typeof deploymentRequestSchema>;
export type Trigger = DeploymentRequest['trigger'];

/** Every problem the schema found, in one sentence per problem. */
export function describeIssues(error: z.core.$ZodError): string {
  return [...new Set(error.issues.map((issue) => issue.message))].join('; ');
}
