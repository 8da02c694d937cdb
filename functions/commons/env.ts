import type { EnvName } from '../contract/environment.js';

/** A variable the stack sets on the function; missing or empty fails the cold start, naming it. */
export function requireEnv(name: EnvName, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new Error(`Missing environment variable ${name}: the stack sets it on every stepship function`);
  }
  return value;
}

export function requireNumber(name: EnvName, env: NodeJS.ProcessEnv = process.env): number {
  const raw = requireEnv(name, env);
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0)
    throw new Error(`Environment variable ${name} must be a number, got "${raw}"`);
  return value;
}

/** A JSON object of strings (e.g. service → repository), validated once at cold start. */
export function requireStringMap(
  name: EnvName,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const raw = requireEnv(name, env);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error(`Environment variable ${name} must be a JSON object, got "${raw.slice(0, 100)}"`);
  }
  const valid =
    typeof parsed === 'object' &&
    parsed !== null &&
    !Array.isArray(parsed) &&
    Object.values(parsed).every((v) => typeof v === 'string');
  if (!valid)
    throw new Error(
      `Environment variable ${name} must be a JSON object of strings, got ${raw.slice(0, 100)}`,
    );
  return parsed as Record<string, string>;
}
