/**
 * What this task knows about itself, from the ECS task metadata endpoint v4
 * (`$ECS_CONTAINER_METADATA_URI_V4`, the container document).
 */
export interface TaskIdentity {
  /** The task's private IPv4 address, or "unknown". */
  taskIP: string;
  /** The image as the task definition names it (`repo@sha256:…` or `repo:tag`). */
  image?: string;
  /** The image's content digest (`sha256:…`), when the metadata reveals it. */
  imageDigest?: string;
  taskArn?: string;
}

export const UNKNOWN_IDENTITY: TaskIdentity = Object.freeze({ taskIP: 'unknown' });

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Reads the identity from a container metadata document; tolerant of any shape. */
export function parseContainerMetadata(doc: unknown): TaskIdentity {
  if (!isRecord(doc)) return UNKNOWN_IDENTITY;
  const identity: TaskIdentity = { taskIP: firstIPv4(doc.Networks) ?? 'unknown' };
  if (typeof doc.Image === 'string' && doc.Image !== '') identity.image = doc.Image;
  const digest = digestOf(identity.image) ?? (typeof doc.ImageID === 'string' ? doc.ImageID : undefined);
  if (digest && DIGEST.test(digest)) identity.imageDigest = digest;
  const labels = isRecord(doc.Labels) ? doc.Labels : {};
  const taskArn = labels['com.amazonaws.ecs.task-arn'];
  if (typeof taskArn === 'string' && taskArn !== '') identity.taskArn = taskArn;
  return identity;
}

function firstIPv4(networks: unknown): string | undefined {
  if (!Array.isArray(networks)) return undefined;
  const first: unknown = networks[0];
  if (!isRecord(first) || !Array.isArray(first.IPv4Addresses)) return undefined;
  const ip: unknown = first.IPv4Addresses[0];
  return typeof ip === 'string' && ip !== '' ? ip : undefined;
}

function digestOf(image: string | undefined): string | undefined {
  const at = image?.lastIndexOf('@') ?? -1;
  return image && at >= 0 ? image.slice(at + 1) : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Fetches and parses the container document; "unknown" on any failure. */
export async function fetchTaskIdentity(uri: string | undefined, timeoutMs: number): Promise<TaskIdentity> {
  if (!uri) return UNKNOWN_IDENTITY;
  try {
    const res = await fetch(uri, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return UNKNOWN_IDENTITY;
    return parseContainerMetadata(await res.json());
  } catch {
    // Unreachable, timed out or malformed JSON: all mean "we don't know".
    return UNKNOWN_IDENTITY;
  }
}

export interface TaskIdentitySource {
  current(): Promise<TaskIdentity>;
}

/**
 * Caches the identity once it is known. While it is unknown and the endpoint is
 * configured, a request retries the endpoint (at most once per `retryAfterMs`),
 * so `/status` never keeps serving a stale "unknown" once the endpoint answers.
 */
export class TaskIdentityProvider implements TaskIdentitySource {
  #identity: TaskIdentity = UNKNOWN_IDENTITY;
  #lastAttempt = Number.NEGATIVE_INFINITY;
  #inFlight: Promise<TaskIdentity> | undefined;

  constructor(
    private readonly uri: string | undefined,
    private readonly timeoutMs = 2000,
    private readonly retryAfterMs = 5000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Loads the identity; call once at start-up, before accepting requests. */
  async load(): Promise<TaskIdentity> {
    return this.#attempt();
  }

  async current(): Promise<TaskIdentity> {
    if (this.#identity.taskIP !== 'unknown' || !this.uri) return this.#identity;
    if (this.now() - this.#lastAttempt < this.retryAfterMs) return this.#identity;
    return this.#attempt();
  }

  #attempt(): Promise<TaskIdentity> {
    this.#inFlight ??= (async () => {
      this.#lastAttempt = this.now();
      try {
        this.#identity = await fetchTaskIdentity(this.uri, this.timeoutMs);
        return this.#identity;
      } finally {
        this.#inFlight = undefined;
      }
    })();
    return this.#inFlight;
  }
}
