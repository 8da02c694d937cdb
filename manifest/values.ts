/**
 * Schema building blocks whose every error says what is allowed, so that a
 * problem reads `services.web.port: must be an integer from 1 to 65535`.
 */
import { z } from 'zod';

export function integer(min: number, max: number) {
  const error = `must be an integer from ${min} to ${max}`;
  return z.int({ error }).min(min, { error }).max(max, { error });
}

export function text(pattern: RegExp, allowed: string) {
  const error = `must be ${allowed}`;
  return z.string({ error }).regex(pattern, { error });
}

export function choice<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be one of ${values.join(', ')}` });
}

export function flag() {
  return z.boolean({ error: 'must be true or false' });
}

/** A map with exactly these keys: anything else is an unknown key. */
export function strictObject<S extends z.ZodRawShape>(shape: S) {
  const error = `must be a map with the keys ${Object.keys(shape).join(', ')}`;
  return z.strictObject(shape, { error: (issue) => (issue.code === 'invalid_type' ? error : undefined) });
}

/** A map whose keys match keyPattern. */
export function mapOf<K extends z.ZodType<string>, V extends z.ZodType>(key: K, value: V, allowed: string) {
  return z.record(key, value, {
    error: (issue) => (issue.code === 'invalid_type' ? `must be ${allowed}` : undefined),
  });
}

/** One item, or a list of 1 to max of them: always a list once parsed. */
export function oneOrList<T extends z.ZodType>(item: T, max: number, allowed: string) {
  const error = `must be ${allowed}, or a list of 1 to ${max} of them`;
  return z
    .union([item, z.array(item, { error }).min(1, { error }).max(max, { error })], { error })
    .transform((value): z.output<T>[] => (Array.isArray(value) ? value : [value]));
}

/** Numbers and booleans become their text, as an environment variable must be. */
export function stringLike(allowed = 'text, a number or true/false') {
  const error = `must be ${allowed}`;
  return z
    .union([z.string({ error }), z.number({ error }), z.boolean({ error })], { error })
    .transform(String);
}

const DURATION = /^(?=\d)(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** Seconds as an integer, or `30s`, `5m`, `1h`, `1m30s`. */
export function duration(min: number, max: number) {
  const error = `must be a duration from ${min} to ${max} seconds: an integer (seconds) or text such as "30s", "5m", "1m30s"`;
  return z
    .union(
      [
        z.int({ error }).min(min, { error }).max(max, { error }),
        z.string({ error }).regex(DURATION, { error }),
      ],
      {
        error,
      },
    )
    .transform(toSeconds)
    .pipe(z.number().min(min, { error }).max(max, { error }));
}

function toSeconds(value: number | string): number {
  if (typeof value === 'number') return value;
  const [, hours = '0', minutes = '0', seconds = '0'] = DURATION.exec(value) ?? [];
  return Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds);
}
