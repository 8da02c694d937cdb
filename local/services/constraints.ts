import { AwsError } from '../http/aws-error.js';

/**
 * The model constraints AWS checks before an operation runs (length, range,
 * pattern, enum), worded as AWS words them: "1 validation error detected:
 * Value 'x' at 'name' failed to satisfy constraint: …". The code differs by
 * service (ValidationException, InvalidParameterException…).
 */
export class Constraints {
  constructor(private readonly code: string) {}

  private fail(value: unknown, member: string, constraint: string): never {
    const shown = typeof value === 'string' ? value : JSON.stringify(value);
    throw new AwsError(
      this.code,
      `1 validation error detected: Value '${clip(shown ?? '')}' at '${member}' failed to satisfy constraint: ${constraint}`,
    );
  }

  length(member: string, value: string | readonly unknown[], min: number, max: number): void {
    const length = typeof value === 'string' ? [...value].length : value.length;
    if (length < min) this.fail(value, member, `Member must have length greater than or equal to ${min}`);
    if (length > max) this.fail(value, member, `Member must have length less than or equal to ${max}`);
  }

  range(member: string, value: number, min: number, max: number): void {
    if (value < min) this.fail(value, member, `Member must have value greater than or equal to ${min}`);
    if (value > max) this.fail(value, member, `Member must have value less than or equal to ${max}`);
  }

  /** `source` is the pattern as the model spells it, for the message; the whole value must match. */
  pattern(member: string, value: string, pattern: RegExp, source: string): void {
    if (!pattern.test(value))
      this.fail(value, member, `Member must satisfy regular expression pattern: ${source}`);
  }

  oneOf(member: string, value: string, allowed: readonly string[]): void {
    if (!allowed.includes(value))
      this.fail(value, member, `Member must satisfy enum value set: [${allowed.join(', ')}]`);
  }
}

const clip = (s: string) => (s.length > 200 ? `${s.slice(0, 200)}…` : s);
