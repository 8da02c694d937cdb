import type { IdentityModel } from '../../manifest/model.js';
import { VerificationError } from '../commons/errors.js';
import { describeFailure, type HttpAnswer } from '../commons/http.js';
import type {
  DeployTarget,
  NewTask,
  PreparedDeployment,
  ResolvedImage,
  Verification,
} from '../contract/shapes.js';
import { problemsWith, valueAt } from './expectations.js';

export interface VerifyChecksInput {
  deployment: PreparedDeployment;
  image: ResolvedImage;
  verification: Verification;
}

/** GET a URL; with serverName, ask the URL's host for that name (Host header, TLS server name, certificate). */
export type Get = (url: string, serverName?: string) => Promise<HttpAnswer>;

export interface VerifyChecksDeps {
  get: Get;
  /** Requests to the identity route before giving up on reaching enough distinct tasks. */
  maxRequests?: number;
  now?: () => number;
}

/**
 * What the app declares, and nothing else: each declared HTTP check through
 * the load balancer; then, with an identity route, requests through the load
 * balancer must reach at least min(2, new tasks) distinct *new* tasks (on the
 * new image, when the route reports it); without one, each new task must pass
 * the first declared check at its own address and port. The load balancer is
 * reached by its own DNS name; an app with a domain is asked for it by name
 * (target.serverName), so no check depends on the domain's public DNS.
 */
export async function verifyChecks(input: VerifyChecksInput, deps: VerifyChecksDeps): Promise<Verification> {
  const { verification, image } = input;
  const target = input.deployment.target;
  const { checks, identity } = target.verify;
  const results: { path: string; status: number }[] = [];
  for (const check of checks) {
    const url = `${target.loadBalancerUrl}${check.path}`;
    const answer = await request(deps.get, url, target.serverName);
    const problems = problemsWith(answer, check, target.tables);
    if (problems.length > 0) throw new VerificationError(`GET ${url} ${problems.join('; ')}`);
    results.push({ path: check.path, status: answer.status });
  }
  const verified: Verification = { ...verification, checks: results };
  if (identity) {
    verified.identity = await reachDistinctTasks(identity, target, verification.newTasks, image, deps);
  } else if (checks[0]) {
    verified.directlyChecked = await checkEachTask(target, verification.newTasks, deps.get);
  }
  return { ...verified, verifiedAt: deps.now?.() ?? Date.now() };
}

async function reachDistinctTasks(
  identity: IdentityModel,
  target: DeployTarget,
  newTasks: NewTask[],
  image: ResolvedImage,
  deps: VerifyChecksDeps,
): Promise<NonNullable<Verification['identity']>> {
  const url = `${target.loadBalancerUrl}${identity.path}`;
  const known = newTasks.flatMap((t) => (identity.kind === 'ip' ? (t.ip ?? []) : [t.taskArn]));
  const needed = Math.min(2, newTasks.length);
  const maxRequests = deps.maxRequests ?? Math.max(10, newTasks.length * 5);
  const reached = new Set<string>();
  let requests = 0;
  while (reached.size < needed && requests < maxRequests) {
    requests++;
    const answer = await request(deps.get, url, target.serverName);
    const task = valueAt(answer.json, identity.field);
    if (answer.status !== 200 || typeof task !== 'string') {
      throw new VerificationError(
        `GET ${url} answered ${answer.status} without the task's ${identity.kind === 'ip' ? 'IP' : 'ARN'} in "${identity.field}": ${answer.text.slice(0, 300)}`,
      );
    }
    if (!known.includes(task)) {
      throw new VerificationError(
        `GET ${identity.path} was answered by task ${task}, which is not one of the new tasks (${known.join(', ')})`,
      );
    }
    if (identity.imageField !== undefined) {
      const seen = valueAt(answer.json, identity.imageField);
      if (digestIn(seen) !== image.imageDigest) {
        throw new VerificationError(
          `Task ${task} runs image ${typeof seen === 'string' ? seen : 'unknown'}, expected ${image.imageUri}`,
        );
      }
    }
    reached.add(task);
  }
  if (reached.size < needed) {
    throw new VerificationError(
      `${requests} requests through the load balancer reached ${reached.size} distinct task(s) (${[...reached].join(', ')}); expected at least ${needed}`,
    );
  }
  return { path: identity.path, requests, distinctTasks: [...reached].sort() };
}

/** Without an identity route, each new task answers the first declared check at its own address. */
async function checkEachTask(target: DeployTarget, newTasks: NewTask[], get: Get): Promise<string[]> {
  const [check] = target.verify.checks;
  if (!check) return [];
  for (const task of newTasks) {
    if (task.ip === undefined) {
      throw new VerificationError(
        `Task ${task.taskArn} has no IP of its own (bridge networking) to be checked at: declare an identity route of kind arn`,
      );
    }
    const answer = await request(get, `http://${task.ip}:${target.containerPort}${check.path}`);
    const problems = problemsWith(answer, check, target.tables);
    if (problems.length > 0) {
      throw new VerificationError(
        `Task ${task.ip}, asked directly for ${check.path}, ${problems.join('; ')}`,
      );
    }
  }
  return newTasks.flatMap((t) => t.ip ?? []);
}

/** A digest (`sha256:…`) on its own or at the end of an image reference (`repo@sha256:…`). */
function digestIn(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const at = value.lastIndexOf('@');
  return at >= 0 ? value.slice(at + 1) : value;
}

async function request(get: Get, url: string, serverName?: string): Promise<HttpAnswer> {
  try {
    return await (serverName === undefined ? get(url) : get(url, serverName));
  } catch (err) {
    const asked = serverName === undefined ? '' : ` (asking for ${serverName})`;
    throw new VerificationError(`GET ${url}${asked} failed: ${describeFailure(err)}`);
  }
}
