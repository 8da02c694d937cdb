import { AwsError } from '../../http/aws-error.js';
import { Constraints } from '../constraints.js';

/** CloudWatch Logs answers model violations with InvalidParameterException. */
export const validate = new Constraints('InvalidParameterException');
export const invalid = (message: string) => new AwsError('InvalidParameterException', message);
export const notFound = (message: string) => new AwsError('ResourceNotFoundException', message);

const GROUP_NAME = /^[.\-_/#A-Za-z0-9]+$/;
const STREAM_NAME = /^[^:*]*$/;

/** The retention periods CloudWatch Logs accepts. */
export const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export function checkGroupName(name: string): void {
  validate.length('logGroupName', name, 1, 512);
  validate.pattern('logGroupName', name, GROUP_NAME, '[\\.\\-_/#A-Za-z0-9]+');
  if (/^aws\//i.test(name)) throw invalid('Log groups starting with AWS/ are reserved for AWS.');
}

export function checkStreamName(name: string): void {
  validate.length('logStreamName', name, 1, 512);
  validate.pattern('logStreamName', name, STREAM_NAME, '[^:*]*');
}

export function checkRetention(days: number): void {
  if (!(RETENTION_DAYS as readonly number[]).includes(days))
    validate.oneOf('retentionInDays', String(days), RETENTION_DAYS.map(String));
}

export function checkLimit(limit: number): void {
  validate.range('limit', limit, 1, 10_000);
}
