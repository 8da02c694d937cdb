import { VerificationError } from '../commons/errors.js';
import { describeFailure, type HttpAnswer, httpGet } from '../commons/http.js';
import type { PreparedDeployment, ResolvedImage, Verification } from '../commons/types.js';

export interface VerifyEndpointInput {
  deployment: PreparedDeployment;
  image: ResolvedImage;
  verification: Verification;
}

export interface VerifyEndpointDeps {
  get?: (url: string) => Promise<HttpAnswer>;
  /** Requests to `/status` before giving up on reaching enough distinct tasks. */
  maxRequests?: number;
}

interface StatusAnswer {
  taskIP?: unknown;
  image?: unknown;
  imageDigest?: unknown;
}

/**
 * Through the load balancer, as a user would: `/` answers 200, and `/status`
 * reaches at least min(2, desired) distinct tasks — each one a new task
 * (by IP) running the new image (by digest). Any answer from an old task or
 * an old image is a failure: the rollout is not what it claims.
 */
export async function verifyEndpoint(
  input: VerifyEndpointInput,
  deps: VerifyEndpointDeps = {},
): Promise<Verification> {
  const { deployment, image, verification } = input;
  const get = deps.get ?? ((url: string) => httpGet(url));
  const base = deployment.loadBalancerUrl;
  const root = await request(get, `${base}/`);
  if (root.status !== 200) throw new VerificationError(`GET ${base}/ answered ${root.status}, expected 200`);

  const needed = Math.min(2, deployment.desiredCount);
  const maxRequests = deps.maxRequests ?? Math.max(10, deployment.desiredCount * 5);
  const newIps = new Set(verification.newTaskIps);
  const reached = new Set<string>();
  let requests = 0;
  while (reached.size < needed && requests < maxRequests) {
    requests++;
    const answer = await request(get, `${base}/status`);
    const body = (answer.json ?? {}) as StatusAnswer;
    if (answer.status !== 200 || typeof body.taskIP !== 'string') {
      throw new VerificationError(
        `GET ${base}/status answered ${answer.status}: ${answer.text.slice(0, 300)}`,
      );
    }
    const ip = body.taskIP;
    if (!newIps.has(ip)) {
      throw new VerificationError(
        `GET /status was answered by task ${ip}, which is not one of the new tasks (${[...newIps].join(', ')})`,
      );
    }
    const seenDigest = typeof body.imageDigest === 'string' ? body.imageDigest : digestIn(body.image);
    if (seenDigest !== image.imageDigest) {
      throw new VerificationError(
        `Task ${ip} runs image ${String(body.image ?? seenDigest ?? 'unknown')}, expected ${image.imageUri}`,
      );
    }
    reached.add(ip);
  }
  if (reached.size < needed) {
    throw new VerificationError(
      `${requests} requests through the load balancer reached ${reached.size} distinct task(s) (${[...reached].join(', ')}); expected at least ${needed}`,
    );
  }
  return { ...verification, endpoint: { requests, distinctTaskIps: [...reached].sort() } };
}

function digestIn(image: unknown): string | undefined {
  if (typeof image !== 'string') return undefined;
  const at = image.lastIndexOf('@');
  return at >= 0 ? image.slice(at + 1) : undefined;
}

async function request(get: (url: string) => Promise<HttpAnswer>, url: string): Promise<HttpAnswer> {
  try {
    return await get(url);
  } catch (err) {
    throw new VerificationError(`GET ${url} failed: ${describeFailure(err)}`);
  }
}
