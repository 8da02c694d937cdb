import {
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';

/** Step Functions caps a failure's error at 256 characters and its cause at 32,768. */
const MAX_ERROR = 256;
const MAX_CAUSE = 32_768;

/** Whether the waiting task was still there to hear it. */
export type Delivered = 'delivered' | 'task-gone';

/**
 * Resumes a task waiting on its token. A token whose task already ended (it
 * timed out, the execution stopped, or it was resolved) is not an error of
 * the caller: it is reported as `task-gone`.
 */
export class TaskCallbacks {
  constructor(private readonly sfn: SFNClient) {}

  succeed(taskToken: string, output: unknown): Promise<Delivered> {
    return this.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
  }

  /** The error's name is what the state machine's Catch matches; its message is the cause. */
  fail(taskToken: string, err: Error): Promise<Delivered> {
    return this.send(
      new SendTaskFailureCommand({
        taskToken,
        error: err.name.slice(0, MAX_ERROR),
        cause: err.message.slice(0, MAX_CAUSE),
      }),
    );
  }

  heartbeat(taskToken: string): Promise<Delivered> {
    return this.send(new SendTaskHeartbeatCommand({ taskToken }));
  }

  private async send(
    command: SendTaskSuccessCommand | SendTaskFailureCommand | SendTaskHeartbeatCommand,
  ): Promise<Delivered> {
    try {
      // One client, three commands: the overloads of send() can't take the union at once.
      await this.sfn.send(command as SendTaskSuccessCommand);
      return 'delivered';
    } catch (err) {
      if (err instanceof TaskTimedOut || err instanceof TaskDoesNotExist || err instanceof InvalidToken)
        return 'task-gone';
      throw err;
    }
  }
}
