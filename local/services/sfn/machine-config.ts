import type { CreateStateMachineInput } from '@aws-sdk/client-sfn';
import { parseArn } from '../../core/arns.js';
import { AwsError } from '../../http/aws-error.js';
import { Constraints } from '../constraints.js';
import type { Machine } from './store.js';

const validate = new Constraints('ValidationException');
const fail = (code: string, message: string) => new AwsError(code, message);
const LOG_LEVELS = ['ALL', 'ERROR', 'FATAL', 'OFF'];

/** The logging configuration CreateStateMachine (or the template) gives, checked as Step Functions checks it. */
export function loggingOf(input: CreateStateMachineInput): Machine['logging'] {
  const config = input.loggingConfiguration ?? {};
  const level = config.level ?? 'OFF';
  validate.oneOf('loggingConfiguration.level', level, LOG_LEVELS);
  const destinations = config.destinations ?? [];
  if (destinations.length > 1 || (level !== 'OFF' && destinations.length === 0))
    throw fail(
      'InvalidLoggingConfiguration',
      'Invalid Logging Configuration: Must specify exactly one Log Destination.',
    );
  const logGroupArn = destinations[0]?.cloudWatchLogsLogGroup?.logGroupArn;
  let destination: Machine['logging']['destination'];
  if (destinations.length === 1) {
    const parsed = parseArn(logGroupArn);
    const group =
      parsed?.service === 'logs' ? /^log-group:([^:]+)(:\*)?$/.exec(parsed.resource)?.[1] : undefined;
    if (!group || logGroupArn === undefined)
      throw fail(
        'InvalidLoggingConfiguration',
        `Invalid Logging Configuration: The CloudWatch Logs Resource ARN is not valid: '${logGroupArn}'`,
      );
    destination = { logGroupArn, logGroup: group };
  }
  return {
    level: level as Machine['logging']['level'],
    includeExecutionData: config.includeExecutionData ?? false,
    ...(destination ? { destination } : {}),
  };
}

export function sameConfiguration(a: Machine, b: Machine): boolean {
  return (
    a.definition === b.definition &&
    a.type === b.type &&
    JSON.stringify(a.logging) === JSON.stringify(b.logging) &&
    a.tracingEnabled === b.tracingEnabled
  );
}
