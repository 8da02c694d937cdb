import { type Html, html } from './html.js';

/** `850 ms`, `4.2 s`, `3 min 07 s`, `1 h 02 min`. */
export function duration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(seconds / 3600)} h ${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')} min`;
}

/**
 * A moment in the local time of the machine, which is the reader's (the
 * console only serves loopback); the machine-readable instant goes in `datetime`.
 */
export function moment(
  at: Date | string | undefined,
  precision: 'seconds' | 'milliseconds' = 'seconds',
): Html | string {
  if (at === undefined) return '—';
  const date = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(date.getTime())) return String(at);
  // Swedish locale formats as ISO 8601 (2026-11-29 21:29:07) in the local time zone.
  const text = date.toLocaleString('sv-SE');
  const ms = precision === 'milliseconds' ? `.${String(date.getMilliseconds()).padStart(3, '0')}` : '';
  return html`<time datetime="${date.toISOString()}">${text}${ms}</time>`;
}

export type Tone = 'ok' | 'bad' | 'busy' | 'idle';

const TONES: [RegExp, Tone][] = [
  [/^(SUCCEEDED|COMPLETED|HEALTHY|RUNNING|ACTIVE|PRIMARY)$/i, 'ok'],
  [/^(FAILED|ROLLED_BACK|ROLLBACK_FAILED|TIMED_OUT|ABORTED|UNHEALTHY|INACTIVE)$/i, 'bad'],
  [/^(STARTED|IN_PROGRESS|PENDING|PROVISIONING|ACTIVATING|INITIAL|DRAINING|DEACTIVATING|STOPPING)$/i, 'busy'],
];

export function toneOf(status: string | undefined): Tone {
  return TONES.find(([pattern]) => pattern.test(status ?? ''))?.[1] ?? 'idle';
}

/** Every tone has its own mark, so a status reads the same without colour. */
export const MARKS: Record<Tone, string> = { ok: '✓', bad: '✗', busy: '▶', idle: '•' };

export function badge(status: string | undefined, tone: Tone = toneOf(status)): Html {
  return html`<span class="badge tone-${tone}"><span class="mark" aria-hidden="true">${MARKS[tone]}</span> ${status ?? 'UNKNOWN'}</span>`;
}

/** JSON text pretty-printed when it parses; any other text as it is. */
export function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export function shortDigest(digest: string | undefined): string | undefined {
  return digest?.replace(/^sha256:([0-9a-f]{12})[0-9a-f]*$/, 'sha256:$1');
}

const CAUSE_PREVIEW = 200;

/** A failure's cause in a table cell: its first line, with the whole of it a click away. */
export function causeCell(error: string | undefined, cause: string | undefined): Html | string {
  if (!error && !cause) return '—';
  const text = cause ?? '';
  const firstLine = text.split('\n', 1)[0] ?? '';
  const preview = firstLine.length > CAUSE_PREVIEW ? `${firstLine.slice(0, CAUSE_PREVIEW - 1)}…` : firstLine;
  return html`<strong>${error ?? 'Error'}</strong>${preview ? html`: ${preview}` : ''}${
    preview !== text
      ? html`<details class="full-cause"><summary>Full cause</summary><pre class="cause" tabindex="0">${prettyJson(text)}</pre></details>`
      : ''
  }`;
}

/** An execution's or a deployment's status: running is work in progress, not a healthy steady state. */
export function runBadge(status: string | undefined): Html {
  return badge(status, status === 'RUNNING' ? 'busy' : toneOf(status));
}
