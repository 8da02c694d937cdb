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
