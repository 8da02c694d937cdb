/** Small statistics and formatting for the benchmark's tables. */

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

/** Seconds with two decimals: detection times are fractions of a second. */
export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

export const spread = (xs: number[]) =>
  `${seconds(median(xs))} (${seconds(Math.min(...xs))}–${seconds(Math.max(...xs))})`;

export const countSpread = (xs: number[]) => `${median(xs)} (${Math.min(...xs)}–${Math.max(...xs)})`;
