import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeServicesCommand, type ECSClient } from '@aws-sdk/client-ecs';

export const OBSERVER_INTERVAL_MS = 50;

export interface ObservedRollout {
  deploymentId: string;
  /** When the new PRIMARY deployment was first seen (UpdateService has returned). */
  startedAt: number;
  /** When it was first seen COMPLETED, by this observer's clock. */
  completedAt?: number;
}

/**
 * Watches a service from outside, as often as every 50 ms: the first PRIMARY
 * deployment of a task definition other than `before`, and the moment its
 * rolloutState reads COMPLETED. This is the reference every waiter's
 * detection is measured from; it knows nothing about how stepship waits.
 */
export class RolloutObserver {
  private stopped = false;
  private readonly loop: Promise<void>;
  rollout: ObservedRollout | undefined;
  private polls = 0;
  private firstPollAt = 0;
  private lastPollAt = 0;

  constructor(
    private readonly ecs: ECSClient,
    private readonly cluster: string,
    private readonly service: string,
    private readonly before: string,
    private readonly onStart: (rollout: ObservedRollout) => void,
  ) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped && this.rollout?.completedAt === undefined) {
      const asked = Date.now();
      const out = await this.ecs.send(
        new DescribeServicesCommand({ cluster: this.cluster, services: [this.service] }),
      );
      // The answer reflects the service somewhere between asking and hearing back: take the earlier bound
      // for the start (generous to nobody) and the later one for completion (generous to the waiters).
      const heard = Date.now();
      if (this.polls++ === 0) this.firstPollAt = asked;
      this.lastPollAt = asked;
      const deployments = out.services?.[0]?.deployments ?? [];
      if (!this.rollout) {
        const fresh = deployments.find((d) => d.status === 'PRIMARY' && d.taskDefinition !== this.before);
        if (fresh?.id) {
          this.rollout = { deploymentId: fresh.id, startedAt: asked };
          this.onStart(this.rollout);
        }
      }
      const ours = deployments.find((d) => d.id === this.rollout?.deploymentId);
      if (this.rollout && ours?.rolloutState === 'COMPLETED') this.rollout.completedAt = heard;
      await sleep(Math.max(0, OBSERVER_INTERVAL_MS - (Date.now() - asked)));
    }
  }

  async stop(): Promise<ObservedRollout | undefined> {
    this.stopped = true;
    await this.loop;
    return this.rollout;
  }

  /** Resolves once COMPLETED was seen (or the observer was stopped). */
  done(): Promise<void> {
    return this.loop;
  }

  /** The achieved interval between polls, in ms. */
  get pollInterval(): number {
    return this.polls > 1 ? (this.lastPollAt - this.firstPollAt) / (this.polls - 1) : 0;
  }
}
