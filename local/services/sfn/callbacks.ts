import type { Scope } from '../../core/scope.js';
import type { RegionalStores } from '../../core/stores.js';
import { AwsError } from '../../http/aws-error.js';
import type { Execution, SfnStore } from './store.js';
import { TaskTokenMint } from './task-tokens.js';

/**
 * How a waiting task ends: SendTaskSuccess, SendTaskFailure, a limit of its
 * state passing, or its execution ending first (`closed`: nothing more is
 * recorded for it).
 */
export type CallbackOutcome =
  | { kind: 'succeeded'; output: string }
  | { kind: 'failed'; error?: string | undefined; cause?: string | undefined }
  | { kind: 'timed-out'; error: TimeoutError }
  | { kind: 'closed' };

export type TimeoutError = 'States.Timeout' | 'States.HeartbeatTimeout';

/** A Task state's limits, in seconds, as its definition gives them. */
export interface CallbackLimits {
  timeoutSeconds?: number | undefined;
  heartbeatSeconds?: number | undefined;
}

/**
 * The longest a Task waits locally: setTimeout's largest delay, in whole
 * seconds (a longer delay would fire at once). The runner holds the
 * library's Task timeouts to the same bound, so both clocks agree.
 */
export const MAX_TASK_SECONDS = Math.floor(2_147_483_647 / 1000);
const delayOf = (seconds: number) => Math.min(seconds, MAX_TASK_SECONDS) * 1000;

/**
 * One Task state waiting for its token (the callback pattern). The token is
 * good until the task ends, whichever way: SendTaskSuccess, SendTaskFailure,
 * TimeoutSeconds passing, HeartbeatSeconds passing without SendTaskHeartbeat,
 * or the execution ending.
 */
export class PendingCallback {
  readonly outcome: Promise<CallbackOutcome>;
  /** How it ended, once it has. */
  settled: CallbackOutcome | undefined;
  private resolve!: (outcome: CallbackOutcome) => void;
  private readonly timeout: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly token: string,
    readonly executionArn: string,
    private readonly limits: CallbackLimits,
    /** Told when a limit passes, before the outcome settles (the history's TaskTimedOut). */
    private readonly onTimedOut: (error: TimeoutError) => void,
    private readonly onClose: () => void,
  ) {
    this.outcome = new Promise((resolve) => {
      this.resolve = resolve;
    });
    if (limits.timeoutSeconds !== undefined)
      this.timeout = setTimeout(() => this.timedOut('States.Timeout'), delayOf(limits.timeoutSeconds));
    this.armHeartbeat();
  }

  get waiting(): boolean {
    return this.settled === undefined;
  }

  succeed(output: string): void {
    this.end({ kind: 'succeeded', output });
  }

  fail(error: string | undefined, cause: string | undefined): void {
    this.end({ kind: 'failed', error, cause });
  }

  /** SendTaskHeartbeat: the heartbeat clock starts again. */
  heartbeat(): void {
    if (this.waiting) this.armHeartbeat();
  }

  /** The task stops waiting without an outcome of its own (the execution ended); its token is no longer good. */
  close(): void {
    this.end({ kind: 'closed' });
  }

  private armHeartbeat(): void {
    clearTimeout(this.heartbeatTimer);
    if (this.limits.heartbeatSeconds === undefined) return;
    this.heartbeatTimer = setTimeout(
      () => this.timedOut('States.HeartbeatTimeout'),
      delayOf(this.limits.heartbeatSeconds),
    );
  }

  private timedOut(error: TimeoutError): void {
    if (!this.waiting) return;
    const outcome: CallbackOutcome = { kind: 'timed-out', error };
    this.settled = outcome;
    this.release();
    this.onTimedOut(error);
    this.resolve(outcome);
  }

  private end(outcome: CallbackOutcome): void {
    if (!this.waiting) return;
    this.settled = outcome;
    this.release();
    this.resolve(outcome);
  }

  private release(): void {
    clearTimeout(this.timeout);
    clearTimeout(this.heartbeatTimer);
    this.onClose();
  }
}

/**
 * The callback pattern's side of the API: tokens handed to waiting tasks,
 * kept in their execution's account and region, and what SendTaskSuccess,
 * SendTaskFailure and SendTaskHeartbeat find with them, answered with
 * Step Functions' errors when they find nothing.
 */
export class TaskCallbacks {
  private readonly mint = new TaskTokenMint();

  constructor(private readonly stores: RegionalStores<SfnStore>) {}

  open(
    execution: Execution,
    limits: CallbackLimits,
    onTimedOut: (error: TimeoutError) => void,
  ): PendingCallback {
    const { token, claims } = this.mint.mint(execution.scope);
    const waiting = this.stores.of(execution.scope).callbacks;
    const pending = new PendingCallback(token, execution.arn, limits, onTimedOut, () =>
      waiting.delete(claims.id),
    );
    waiting.set(claims.id, pending);
    return pending;
  }

  /** The task a token names, if it still waits; otherwise the error Step Functions answers. */
  waiting(scope: Scope, token: string): PendingCallback {
    const claims = this.mint.read(token);
    // A token is good only in the region and account that issued it.
    if (!claims || claims.accountId !== scope.accountId || claims.region !== scope.region)
      throw new AwsError('InvalidToken', "Invalid Token: 'Invalid token'");
    const pending = this.stores.of(scope).callbacks.get(claims.id);
    if (!pending)
      throw new AwsError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
    return pending;
  }

  /** Every task of `execution` still waiting stops waiting (the execution ended or was stopped). */
  closeAll(execution: Execution): void {
    for (const pending of [...this.stores.of(execution.scope).callbacks.values()])
      if (pending.executionArn === execution.arn) pending.close();
  }
}
