import { AwsError } from '../../http/aws-error.js';
import type { Service } from './store.js';

const invalid = (message: string) => new AwsError('InvalidParameterException', message);

export function checkCount(member: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 5000)
    throw invalid(`${member} must be an integer from 0 to 5000 (got ${value}).`);
}

export function checkGracePeriod(seconds: number): void {
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 2147483647)
    throw invalid('healthCheckGracePeriodSeconds must be an integer from 0 to 2147483647.');
}

export function checkPercents(c: Service['deploymentConfiguration']): void {
  if (c.minimumHealthyPercent < 0 || c.minimumHealthyPercent > 100)
    throw invalid(`minimumHealthyPercent must be from 0 to 100 (got ${c.minimumHealthyPercent}).`);
  if (c.maximumPercent < 100) throw invalid(`maximumPercent must be at least 100 (got ${c.maximumPercent}).`);
}
