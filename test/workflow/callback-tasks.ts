import { randomUUID } from 'node:crypto';
import {
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';

/** What a `.waitForTaskToken` Task state says about its wait. */
export interface CallbackState {
  HeartbeatSeconds?: number;
  TimeoutSeconds?: number;
}

interface Waiting {
  payload: { rollout?: { deploymentId?: string } };
  /** The function has answered: only the token can end the wait now. */
  submitted: boolean;
  resolve: (output: unknown) => void;
  reject: (err: Error) => void;
  heartbeat: () => void;
  end: () => void;
}

const named = (name: string, message: string) => Object.assign(new Error(message), { name });

/**
 * The callback pattern for aws-local-stepfunctions, which lacks it: the
 * context's `$$.Task.Token` is a fresh token each time a state reads it; a
 * `.waitForTaskToken` Task's handler runs its function with the payload,
 * then waits for that token — SendTaskSuccess (the output is the result),
 * SendTaskFailure (the error, for the Catch), or silence past
 * HeartbeatSeconds (`States.HeartbeatTimeout`, renewed by SendTaskHeartbeat)
 * or TimeoutSeconds (`States.Timeout`). `sfn` is a real SDK client whose
 * SendTask* calls land here, answering TaskTimedOut for a token no task
 * waits on, as Step Functions does.
 */
export class CallbackTasks {
  readonly sfn = new SFNClient({ region: 'us-east-1' });
  /** What each function answered (Step Functions records it, and waits on). */
  readonly submitted: unknown[] = [];
  /** Every SendTask* call, in order. */
  readonly calls: { command: 'success' | 'failure' | 'heartbeat'; token: string; error?: string }[] = [];
  private readonly waiting = new Map<string, Waiting>();
  private readonly watchers: { deploymentId: string; notify: () => void }[] = [];

  /** `$$.Task`: a getter, so each read is a new task's token. */
  readonly context = {
    get Token() {
      return `token-${randomUUID()}`;
    },
  };

  constructor() {
    const mock = mockClient(this.sfn);
    mock.on(SendTaskSuccessCommand).callsFake((i: { taskToken: string; output: string }) => {
      this.calls.push({ command: 'success', token: i.taskToken });
      this.take(i.taskToken).resolve(JSON.parse(i.output));
      return {};
    });
    mock.on(SendTaskFailureCommand).callsFake((i: { taskToken: string; error: string; cause: string }) => {
      this.calls.push({ command: 'failure', token: i.taskToken, error: i.error });
      this.take(i.taskToken).reject(named(i.error, i.cause));
      return {};
    });
    mock.on(SendTaskHeartbeatCommand).callsFake((i: { taskToken: string }) => {
      this.calls.push({ command: 'heartbeat', token: i.taskToken });
      this.find(i.taskToken).heartbeat();
      return {};
    });
  }

  /** The local handler of a `.waitForTaskToken` Task state whose function is `run`. */
  handler(state: CallbackState, run: (payload: never) => Promise<unknown>) {
    return async (parameters: { Payload: { taskToken: string } & Waiting['payload'] }) => {
      const { taskToken, ...payload } = parameters.Payload;
      const settled = this.wait(taskToken, payload, state);
      // A function error fails the task, as Step Functions fails it when Invoke reports one.
      this.submitted.push(await run(parameters.Payload as never));
      const waiting = this.waiting.get(taskToken);
      if (waiting) {
        waiting.submitted = true;
        for (const w of this.watchers.filter((w) => w.deploymentId === payload.rollout?.deploymentId))
          w.notify();
      }
      return settled;
    };
  }

  /** Resolves once a wait on this deployment's rollout has been submitted and is still open. */
  waitingOn(deploymentId: string): Promise<void> {
    const open = [...this.waiting.values()].some(
      (w) => w.submitted && w.payload.rollout?.deploymentId === deploymentId,
    );
    if (open) return Promise.resolve();
    return new Promise((notify) => this.watchers.push({ deploymentId, notify }));
  }

  /** Ends every wait, as stopping the executions would. */
  close(): void {
    for (const w of this.waiting.values()) w.end();
    this.waiting.clear();
  }

  private wait(token: string, payload: Waiting['payload'], state: CallbackState): Promise<unknown> {
    return new Promise((resolve, reject) => {
      let heartbeat: NodeJS.Timeout | undefined;
      const timeout = state.TimeoutSeconds
        ? setTimeout(() => fail(named('States.Timeout', 'The task timed out')), state.TimeoutSeconds * 1000)
        : undefined;
      const end = () => {
        clearTimeout(heartbeat);
        clearTimeout(timeout);
        this.waiting.delete(token);
      };
      const fail = (err: Error) => {
        end();
        reject(err);
      };
      const beat = () => {
        clearTimeout(heartbeat);
        if (state.HeartbeatSeconds)
          heartbeat = setTimeout(
            () => fail(named('States.HeartbeatTimeout', 'No heartbeat within HeartbeatSeconds')),
            state.HeartbeatSeconds * 1000,
          );
      };
      beat();
      this.waiting.set(token, {
        payload,
        submitted: false,
        resolve: (output) => {
          end();
          resolve(output);
        },
        reject: fail,
        heartbeat: beat,
        end,
      });
    });
  }

  private find(token: string): Waiting {
    const waiting = this.waiting.get(token);
    if (waiting) return waiting;
    if (!token.startsWith('token-'))
      throw new InvalidToken({ message: 'Invalid Token: not a task token', $metadata: {} });
    throw new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} });
  }

  private take(token: string): Waiting {
    const waiting = this.find(token);
    this.waiting.delete(token);
    return waiting;
  }
}
