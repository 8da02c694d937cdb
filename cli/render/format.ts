/** Small formatters the commands' text output shares. */

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;

/** `arn:…:task-definition/web-web:3` → `web-web:3`. */
export const revisionOf = (arn: string | undefined): string =>
  arn ? arn.replace(/^.*:task-definition\//, '') : '—';

/** `sha256:` and the first 12 hex digits, as docker shows image ids. */
export const shortDigest = (digest: string | undefined): string =>
  digest ? digest.slice(0, 'sha256:'.length + 12) : '—';

/** The digest an image reference pins (`repo@sha256:…`), if it pins one. */
export const digestOf = (image: string | undefined): string | undefined =>
  /@(sha256:[a-f0-9]{64})$/.exec(image ?? '')?.[1];

/** An ISO time as `2026-11-23 10:00:01Z`: sortable, and short enough for a table. */
export const when = (iso: string | undefined): string =>
  iso ? `${iso.replace('T', ' ').slice(0, 19)}Z` : '—';

/** Left-aligned columns, two spaces apart, for rows of cells. */
export function columns(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows)
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}
