import { parseArn } from '../../core/arns.js';
import type { Lambda } from '../lambda/provider.js';
import type { StepFunctions } from '../sfn/provider.js';
import type { TargetInvoker } from './delivery.js';

/**
 * Delivers to the targets the local cloud can run: Lambda functions
 * (invoked with the event) and state machines (an execution started with
 * it). Any other target rejects, and the delivery is recorded as failed.
 */
export function targetInvoker(deps: { lambda: Lambda; sfn: () => StepFunctions }): TargetInvoker {
  return async (scope, target, payload) => {
    const service = parseArn(target.Arn)?.service;
    if (service === 'lambda') {
      await deps.lambda.invoke(scope, target.Arn, payload);
      return;
    }
    if (service === 'states') {
      deps.sfn().startExecution(scope, { stateMachineArn: target.Arn, input: JSON.stringify(payload) });
      return;
    }
    throw new Error(
      `The local cloud delivers to Lambda functions and state machines only, not to ${target.Arn}`,
    );
  };
}
