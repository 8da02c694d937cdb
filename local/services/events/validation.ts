import type { Target } from '@aws-sdk/client-eventbridge';
import { parseArn } from '../../core/arns.js';
import { AwsError } from '../../http/aws-error.js';
import { Constraints } from '../constraints.js';
import { DEFAULT_BUS, type Rule } from './store.js';

const validate = new Constraints('ValidationException');
const validation = (message: string) => new AwsError('ValidationException', message);
const RULE_NAME = /^[.\-_A-Za-z0-9]+$/;
const TARGET_ID = /^[.\-_A-Za-z0-9]+$/;
const RATE = /^rate\((\d+) (minute|hour|day)(s?)\)$/;
const CRON = /^cron\(\S+( \S+){5}\)$/;

/** A bus named by name or ARN; absent is the default bus. */
export function busNameOf(nameOrArn: string | undefined): string {
  if (nameOrArn === undefined) return DEFAULT_BUS;
  const arn = parseArn(nameOrArn);
  return arn ? arn.resource.replace(/^event-bus\//, '') : nameOrArn;
}

export function checkRuleName(member: string, name: string): void {
  validate.length(member, name, 1, 64);
  validate.pattern(member, name, RULE_NAME, '[\\.\\-_A-Za-z0-9]+');
}

export function checkSchedule(expression: string): void {
  const rate = RATE.exec(expression);
  const valid = rate
    ? Number(rate[1]) > 0 && (Number(rate[1]) === 1) === (rate[3] === '')
    : CRON.test(expression);
  if (!valid) throw validation('Parameter ScheduleExpression is not valid.');
}

export function checkTarget(target: Target, index: number): Rule['targets'][number] {
  const member = `targets.${index + 1}.member`;
  const id = target.Id ?? '';
  validate.length(`${member}.id`, id, 1, 64);
  validate.pattern(`${member}.id`, id, TARGET_ID, '[\\.\\-_A-Za-z0-9]+');
  validate.length(`${member}.arn`, target.Arn ?? '', 1, 1600);
  const inputs = [target.Input, target.InputPath, target.InputTransformer].filter((x) => x !== undefined);
  if (inputs.length > 1)
    throw validation('Only one of Input, InputPath, or InputTransformer must be provided.');
  if (target.Input !== undefined) {
    try {
      JSON.parse(target.Input);
    } catch {
      throw validation(`Target ${id}'s Input is not valid JSON.`);
    }
  }
  return { ...target, Id: id, Arn: target.Arn ?? '' };
}
