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
/**
 * A registered task definition revision: `family:revision` or its ARN. The
 * revision is required, so the request names exactly what runs (a family alone
 * would mean "whatever is latest when the step reads it").
 */
export const TASK_DEFINITION =
  /^(arn:aws[a-z-]*:ecs:[a-z0-9-]{1,32}:\d{12}:task-definition\/)?[A-Za-z0-9_-]{1,255}:[1-9]\d{0,8}$/;
/** Printable ASCII without quotes, backslashes, spaces or shell metacharacters. */
export const REQUESTER = /^[A-Za-z0-9:/@._+=,-]{1,256}$/;
/** Why a deployment was asked for: up to 256 characters of text, no control characters. */
export const REASON = /^[^\p{Cc}]{1,256}$/u;

export const MAX_BODY_BYTES = 16 * 1024;
export const TRIGGERS = ['api', 'push', 'cli', 'event'] as const;

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
  taskDefinition: patterned(
    'taskDefinition',
    TASK_DEFINITION,
    'a task definition revision of the service, family:revision or its ARN (e.g. web-web:3)',
  ),
  idempotencyKey: patterned('idempotencyKey', IDEMPOTENCY_KEY, '1–64 of A-Z a-z 0-9 _ -'),
  idempotencyKeyHeader: patterned('The Idempotency-Key header', IDEMPOTENCY_KEY, '1–64 of A-Z a-z 0-9 _ -'),
  requester: patterned('requester', REQUESTER, 'up to 256 of A-Z a-z 0-9 : / @ . _ + = , -'),
  reason: patterned('reason', REASON, 'up to 256 characters of text, without control characters'),
  queue: z.boolean({
    error: (issue) => `queue must be true or false; got ${describeInput(issue.input)}`,
  }),
  trigger: z.enum(TRIGGERS, {
    error: (issue) => `trigger must be one of ${TRIGGERS.join(', ')}; got ${describeInput(issue.input)}`,
  }),
};

/**
 * What to deploy: exactly one of a tag, a digest, a source to build, or an
 * existing task definition revision (deployed as it is: a rollback). A push
 * names the digest it pushed and, for the record, the tag it pushed it
 * under; the digest is what deploys.
 */
function checkImageChoice(
  request: {
    imageTag?: string;
    imageDigest?: string;
    source?: string;
    taskDefinition?: string;
    trigger?: string;
  },
  ctx: z.core.$RefinementCtx,
): void {
  const image = request.imageTag !== undefined || request.imageDigest !== undefined;
  const problem =
    request.imageTag !== undefined && request.imageDigest !== undefined && request.trigger !== 'push'
      ? 'Give imageTag or imageDigest, not both'
      : request.taskDefinition !== undefined && (image || request.source !== undefined)
        ? 'Give taskDefinition alone: it deploys that revision as it is, image included'
        : request.source === undefined && !image && request.taskDefinition === undefined
          ? 'Give imageTag or imageDigest (or a source to build, or a taskDefinition revision to deploy as it is)'
          : request.source !== undefined && image
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
    taskDefinition: z.optional(FIELD.taskDefinition),
    idempotencyKey: z.optional(FIELD.idempotencyKey),
    requester: z.optional(FIELD.requester),
    reason: z.optional(FIELD.reason),
    /** Wait for a running deployment of the service instead of failing fast (pushes always wait). */
    queue: z.optional(FIELD.queue),
  },
  'The request',
).check(z.superRefine(checkImageChoice));

export type RequestBody = z.infer<typeof requestBodySchema>;

/**
 * The detail of a `Stepship Deployment Request` event (contract/events.ts):
 * the service, the image by tag or digest, and optionally why, a key that
 * makes repeats start nothing new, and whether to wait for a running
 * deployment of the service.
 */
export const requestEventDetailSchema = requestObject(
  {
    service: FIELD.service,
    image: z.union([FIELD.imageDigest, FIELD.imageTag], {
      error: (issue) =>
        issue.input === undefined
          ? 'image is required: an image tag, or a digest "sha256:" and 64 lowercase hex digits'
          : `image must be an image tag or a digest "sha256:…"; got ${describeInput(issue.input)}`,
    }),
    reason: z.optional(FIELD.reason),
    idempotencyKey: z.optional(FIELD.idempotencyKey),
    queue: z.optional(FIELD.queue),
  },
  "The event's detail",
);

export type RequestEventDetail = z.infer<typeof requestEventDetailSchema>;

/** The execution input's `request`: a body completed with its trigger and requester. */
export const deploymentRequestSchema = requestObject(
  {
    service: FIELD.service,
    trigger: FIELD.trigger,
    requester: FIELD.requester,
    imageTag: z.optional(FIELD.imageTag),
    imageDigest: z.optional(FIELD.imageDigest),
    source: z.optional(FIELD.source),
    taskDefinition: z.optional(FIELD.taskDefinition),
    idempotencyKey: z.optional(FIELD.idempotencyKey),
    reason: z.optional(FIELD.reason),
    queue: z.optional(FIELD.queue),
  },
  'The execution input\'s "request"',
).check(z.superRefine(checkImageChoice));

/** A validated deployment request: the execution's input is `{ request }`. */
export type DeploymentRequest = z.infer<typeof deploymentRequestSchema>;
export type Trigger = DeploymentRequest['trigger'];

/**
 * Whether a request waits its turn when the service is being deployed:
 * pushes always do (the newest pushed image must end up deployed); API,
 * CLI and event requests only when they ask to, and otherwise fail fast
 * with DeploymentInProgressError.
 */
export function waitsForItsTurn(request: Pick<DeploymentRequest, 'trigger' | 'queue'>): boolean {
  return request.trigger === 'push' || request.queue === true;
}

/** Every problem the schema found, in one sentence per problem. */
export function describeIssues(error: z.core.$ZodError): string {
  return [...new Set(error.issues.map((issue) => issue.message))].join('; ');
}
