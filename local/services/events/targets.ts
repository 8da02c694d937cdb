import { randomUUID } from 'node:crypto';
import { parseArn } from '../../core/arns.js';
import type { Lambda } from '../lambda/provider.js';
import type { Logs } from '../logs/provider.js';
import type { StepFunctions } from '../sfn/provider.js';
import type { TargetInvoker } from './delivery.js';

/**
 * Delivers to the targets the local cloud can run: Lambda functions
 * (invoked with the event), state machines (an execution started with it)
 * and CloudWatch Logs log groups (the event written as one log event, in a
 * stream of its own). Any other target rejects, and the delivery is
 * recorded as failed.
 */
export function targetInvoker(deps: { lambda: Lambda; sfn: () => StepFunctions; logs: Logs }): TargetInvoker {
  return async (scope, target, payload) => {
    const arn = parseArn(target.Arn);
    if (arn?.service === 'lambda') {
      await deps.lambda.invoke(scope, target.Arn, payload);
      return;
    }
    if (arn?.service === 'states') {
      deps.sfn().startExecution(scope, { stateMachineArn: target.Arn, input: JSON.stringify(payload) });
      return;
    }
    const group = arn?.service === 'logs' ? /^log-group:(.+?)(:\*)?$/.exec(arn.resource)?.[1] : undefined;
    if (group !== undefined) {
      // As on AWS, the group must exist: EventBridge writes to it, it does not create it.
      if (!deps.logs.hasGroup(scope, group))
        throw new Error(`ResourceNotFoundException: log group ${group} does not exist`);
      const id = (payload as { id?: unknown } | null)?.id;
      deps.logs.put(scope, group, typeof id === 'string' ? id : randomUUID(), JSON.stringify(payload));
      return;
    }
    throw new Error(
      `The local cloud delivers to Lambda functions, state machines and log groups only, not to ${target.Arn}`,
    );
  };
}
