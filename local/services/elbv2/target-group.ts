import { request } from 'node:http';
import type { ActivityLog } from '../../runtime/activity.js';
import { inBackground } from '../../runtime/background.js';

export interface HealthCheck {
  path: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  /** "200", "200-299" or "200,302". */
  matcher: string;
}

export type TargetState = 'initial' | 'healthy' | 'unhealthy' | 'draining' | 'unused';

export interface Target {
  id: string;
  port: number;
  /** Where it is reached: the id itself for an ip target, the instance's address for an instance target. */
  host: string;
  state: TargetState;
  reason?: string;
  description?: string;
  consecutivePasses: number;
  consecutiveFailures: number;
  inFlight: number;
  registeredAt: number;
  timer?: NodeJS.Timeout;
  drained?: Promise<void>;
}

export function matcherAccepts(matcher: string, status: number): boolean {
  return matcher.split(',').some((part) => {
    const [low, high] = part.split('-').map((n) => Number(n.trim()));
    return high === undefined ? status === low : status >= (low ?? 0) && status <= high;
  });
}

/**
 * An ALB target group: targets with AWS's health states and reason codes,
 * health checks on the group's own path, interval, timeout, thresholds and
 * matcher, and draining for the deregistration delay.
 */
export class TargetGroup {
  readonly targets = new Map<string, Target>();
  private rr = 0;
  /** Requests the load balancer forwarded here (what CloudWatch's RequestCount of a target group sums). */
  forwarded = 0;
  private stopped = false;

  constructor(
    readonly arn: string,
    readonly name: string,
    readonly port: number,
    readonly healthCheck: HealthCheck,
    public deregistrationDelaySeconds: number,
    /** Records each target's initial health checking (registration → first healthy) for the benchmark. */
    private readonly activity?: ActivityLog,
  ) {}

  private key(id: string, port: number): string {
    return `${id}:${port}`;
  }

  register(id: string, port = this.port, host = id): void {
    const key = this.key(id, port);
    const existing = this.targets.get(key);
    if (existing && existing.state !== 'draining' && existing.state !== 'unused') return;
    if (existing?.timer) clearTimeout(existing.timer);
    const target: Target = {
      id,
      port,
      host,
      state: 'initial',
      reason: 'Elb.RegistrationInProgress',
      description: 'Target registration is in progress',
      consecutivePasses: 0,
      consecutiveFailures: 0,
      inFlight: 0,
      registeredAt: Date.now(),
    };
    this.targets.set(key, target);
    // The first check runs at once: a new target needs one passing check to become healthy.
    this.schedule(target, 0);
  }

  /** Starts draining; resolves when the deregistration delay has passed and the target is gone. */
  deregister(id: string, port = this.port): Promise<void> {
    const target = this.targets.get(this.key(id, port));
    if (!target || target.state === 'unused') return Promise.resolve();
    if (target.drained) return target.drained;
    if (target.timer) clearTimeout(target.timer);
    Object.assign(target, {
      state: 'draining',
      reason: 'Target.DeregistrationInProgress',
      description: 'Target deregistration is in progress',
    });
    target.drained = new Promise((resolve) => {
      target.timer = setTimeout(() => {
        target.state = 'unused';
        this.targets.delete(this.key(id, port));
        resolve();
      }, this.deregistrationDelaySeconds * 1000);
    });
    return target.drained;
  }

  /** Round robin over healthy targets; fail-open over all registered ones when none is healthy. */
  pick(): Target | undefined {
    const active = [...this.targets.values()].filter((t) => t.state !== 'draining' && t.state !== 'unused');
    const healthy = active.filter((t) => t.state === 'healthy');
    const pool = healthy.length > 0 ? healthy : active;
    if (pool.length === 0) return undefined;
    this.forwarded++;
    return pool[this.rr++ % pool.length];
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.targets.values()) if (t.timer) clearTimeout(t.timer);
  }

  private schedule(target: Target, delayMs: number): void {
    if (this.stopped) return;
    target.timer = setTimeout(
      () =>
        inBackground(`health check of ${target.id}:${target.port} in ${this.name}`, () => this.check(target)),
      delayMs,
    );
  }

  private async check(target: Target): Promise<void> {
    if (leaving(target) || this.targets.get(this.key(target.id, target.port)) !== target) return;
    const outcome = await probe(target, this.healthCheck);
    // Deregistration may have begun while the probe was out.
    if (leaving(target)) return;
    if (outcome.ok) {
      target.consecutivePasses++;
      target.consecutiveFailures = 0;
      const needed = target.state === 'initial' ? 1 : this.healthCheck.healthyThreshold;
      if (target.state !== 'healthy' && target.consecutivePasses >= needed) {
        if (target.state === 'initial') this.activity?.record('health-check', target.registeredAt);
        Object.assign(target, { state: 'healthy', reason: undefined, description: undefined });
      }
    } else {
      target.consecutiveFailures++;
      target.consecutivePasses = 0;
      if (target.state === 'initial')
        Object.assign(target, {
          reason: 'Elb.InitialHealthChecking',
          description: 'Initial health checks in progress',
        });
      if (target.state !== 'unhealthy' && target.consecutiveFailures >= this.healthCheck.unhealthyThreshold) {
        Object.assign(target, {
          state: 'unhealthy',
          reason: outcome.reason,
          description: outcome.description,
        });
      } else if (target.state === 'unhealthy') {
        Object.assign(target, { reason: outcome.reason, description: outcome.description });
      }
    }
    this.schedule(target, this.healthCheck.intervalSeconds * 1000);
  }
}

function leaving(target: Target): boolean {
  return target.state === 'draining' || target.state === 'unused';
}

interface ProbeOutcome {
  ok: boolean;
  reason?: string;
  description?: string;
}

function probe(target: Target, hc: HealthCheck): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: target.host,
        port: target.port,
        path: hc.path,
        method: 'GET',
        timeout: hc.timeoutSeconds * 1000,
        agent: false,
        headers: { 'user-agent': 'ELB-HealthChecker/2.0' },
      },
      (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        if (matcherAccepts(hc.matcher, status)) resolve({ ok: true });
        else
          resolve({
            ok: false,
            reason: 'Target.ResponseCodeMismatch',
            description: `Health checks failed with these codes: [${status}]`,
          });
      },
    );
    req.on('timeout', () => {
      req.destroy();
      resolve({ ok: false, reason: 'Target.Timeout', description: 'Request timed out' });
    });
    req.on('error', () =>
      resolve({ ok: false, reason: 'Target.FailedHealthChecks', description: 'Health checks failed' }),
    );
    req.end();
  });
}
