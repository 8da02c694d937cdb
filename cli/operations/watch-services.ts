import { type FSWatcher, watch } from 'node:fs';
import { sep } from 'node:path';
import type { ServiceModel } from '../../manifest/model.js';
import { type DeploymentOutcome, follow, type StepTiming } from '../deploy.js';
import type { Session } from '../session.js';
import { followPollMs, startOne } from './deploy-run.js';
import { observeRollout } from './rollout-observer.js';

/** What never triggers a redeploy: dependencies, build output, stepship's own state, the repository. */
const IGNORED = new Set(['node_modules', 'dist', '.stepship', '.git']);

export interface WatchEvents {
  watching(service: string, dir: string): void;
  /** The files changed since the last redeploy, once the changes have settled. */
  changed(service: string, files: string[]): void;
  started(service: string, deploymentId: string): void;
  step(service: string, step: StepTiming): void;
  rollout(service: string, line: string): void;
  finished(service: string, outcome: DeploymentOutcome): void;
  failed(service: string, error: Error): void;
}

export interface WatchOptions {
  signal: AbortSignal;
  /** Quiet time after the last change before a redeploy starts. */
  debounceMs: number;
  events: WatchEvents;
}

export const ignored = (file: string): boolean => file.split(sep).some((part) => IGNORED.has(part));

/**
 * Redeploys each service whenever its build context changes: changes are
 * debounced, one deployment runs at a time per service, and changes made
 * while one runs start one more after it. Runs until `signal` aborts.
 */
export async function watchServices(
  session: Session,
  models: ServiceModel[],
  options: WatchOptions,
): Promise<void> {
  const watchers: FSWatcher[] = [];
  const deployments: Promise<void>[] = [];
  for (const model of models) {
    if (model.image.kind !== 'build') continue;
    const dir = model.image.context;
    const service = new ServiceWatch(session, model, options, deployments);
    const watcher = watch(dir, { recursive: true }, (_event, file) => {
      if (file && !ignored(file)) service.changed(file);
    });
    watchers.push(watcher);
    options.events.watching(model.name, dir);
  }
  await new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    else options.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  for (const watcher of watchers) watcher.close();
  await Promise.all(deployments);
}

class ServiceWatch {
  private timer: NodeJS.Timeout | undefined;
  private readonly files = new Set<string>();
  private busy = false;
  private again = false;

  constructor(
    private readonly session: Session,
    private readonly model: ServiceModel,
    private readonly options: WatchOptions,
    private readonly deployments: Promise<void>[],
  ) {}

  changed(file: string): void {
    if (this.options.signal.aborted) return;
    this.files.add(file);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.deploy(), this.options.debounceMs);
  }

  private deploy(): void {
    if (this.options.signal.aborted) return;
    if (this.files.size > 0) this.options.events.changed(this.model.name, [...this.files].sort());
    this.files.clear();
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    this.deployments.push(
      this.once().finally(() => {
        this.busy = false;
        if (this.again) {
          this.again = false;
          this.deploy();
        }
      }),
    );
  }

  private async once(): Promise<void> {
    const { events } = this.options;
    const name = this.model.name;
    if (this.model.image.kind !== 'build') return;
    try {
      const started = await startOne(this.session, name, { kind: 'source', dir: this.model.image.context });
      events.started(name, started.deploymentId);
      const stopObserving = observeRollout(this.session, this.model, (line) => events.rollout(name, line));
      try {
        const outcome = await follow(
          this.session.clients,
          started.executionArn,
          (s) => events.step(name, s),
          followPollMs(this.session),
        );
        events.finished(name, outcome);
      } finally {
        await stopObserving();
      }
    } catch (err) {
      events.failed(name, err instanceof Error ? err : new Error(String(err)));
    }
  }
}
