import {
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
} from '@aws-sdk/client-sfn';
import { define, type Operation } from '../../core/operation.js';
import { AwsError } from '../../http/aws-error.js';
import { Constraints } from '../constraints.js';
import type { TaskCallbacks } from './callbacks.js';

const validate = new Constraints('ValidationException');
/** SendTaskSuccess's output limit, "expressed as bytes in UTF-8 encoding". */
const MAX_OUTPUT_BYTES = 262_144;

/**
 * SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat: what resumes,
 * fails or keeps alive a task waiting for its token. A token that isn't
 * one this local cloud issued is InvalidToken; one whose task no longer
 * waits (it ended, timed out, or its execution stopped) is TaskTimedOut.
 */
export function callbackOperations(callbacks: TaskCallbacks): Operation[] {
  return [
    define(SendTaskSuccessCommand, (input, ctx) => {
      const pending = callbacks.waiting(ctx, token(input.taskToken));
      const output = input.output ?? '';
      if (Buffer.byteLength(output) > MAX_OUTPUT_BYTES)
        throw new AwsError(
          'ValidationException',
          `1 validation error detected: Value at 'output' failed to satisfy constraint: Member must have length less than or equal to ${MAX_OUTPUT_BYTES}`,
        );
      try {
        JSON.parse(output);
      } catch (err) {
        throw new AwsError('InvalidOutput', `Invalid Output: '${(err as Error).message}'`);
      }
      pending.succeed(output);
      return {};
    }),
    define(SendTaskFailureCommand, (input, ctx) => {
      const taskToken = token(input.taskToken);
      if (input.error !== undefined) validate.length('error', input.error, 0, 256);
      if (input.cause !== undefined) validate.length('cause', input.cause, 0, 32_768);
      callbacks.waiting(ctx, taskToken).fail(input.error, input.cause);
      return {};
    }),
    define(SendTaskHeartbeatCommand, (input, ctx) => {
      callbacks.waiting(ctx, token(input.taskToken)).heartbeat();
      return {};
    }),
  ];
}

function token(value: string | undefined): string {
  const taskToken = value ?? '';
  validate.length('taskToken', taskToken, 1, 2048);
  return taskToken;
}
