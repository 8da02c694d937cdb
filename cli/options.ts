import { InvalidArgumentError } from 'commander';

/** A port number flag: 0 (a free one) to 65535. */
export function portOption(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n > 65535)
      throw new InvalidArgumentError(`${name} must be a port number from 0 to 65535, got "${value}"`);
    return n;
  };
}

export function runtimeOption(value: string): 'process' | 'docker' {
  if (value === 'process' || value === 'docker') return value;
  throw new InvalidArgumentError(`--runtime must be process or docker, got "${value}"`);
}

/** A positive whole number flag (a count, a limit). */
export function countOption(name: string, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < 1 || n > max)
      throw new InvalidArgumentError(`${name} must be a whole number from 1 to ${max}, got "${value}"`);
    return n;
  };
}

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `--since`: a duration back from now (`30s`, `10m`, `2h`, `1d`) or an ISO time; answers epoch milliseconds. */
export function sinceOption(name: string, now: () => number = Date.now): (value: string) => number {
  return (value) => {
    const match = /^(\d{1,9})([smhd])$/.exec(value);
    if (match) return now() - Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
    const time = /^\d{4}-\d\d-\d\d/.test(value) ? Date.parse(value) : Number.NaN;
    if (Number.isFinite(time)) return time;
    throw new InvalidArgumentError(
      `${name} must be a duration such as 30s, 10m, 2h or 1d, or an ISO time such as 2026-11-23T10:00:00Z, got "${value}"`,
    );
  };
}

/** `--env NAME=value`, repeatable: collects them into one map. */
export function envOption(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(value);
  if (!match) throw new InvalidArgumentError(`--env must be NAME=value, got "${value}"`);
  return { ...previous, [match[1] as string]: match[2] as string };
}
