import type { ExecutionModel } from '../execution-model.js';
import type { Visit, VisitStatus } from '../model/execution-summary.js';
import { consolePath } from '../paths.js';
import { badge, duration, moment, type Tone } from './format.js';
import { type Content, type Html, html } from './html.js';

const VISIT_TONES: Record<VisitStatus, Tone> = {
  running: 'busy',
  succeeded: 'ok',
  failed: 'bad',
  aborted: 'idle',
  'timed-out': 'bad',
};
/** The bars' coordinate space; the SVG stretches it to the column's width. */
const BAR_SCALE = 1000;
/** Log lines a step wrote can land a little before its Entered event and after its Exited one. */
const LOG_SLACK_MS = 1000;

/** One row per visit: when it started (from the execution's start), how long it took, how it ended. */
export function timelineView(model: ExecutionModel): Html {
  const { summary, record, now } = model;
  const start = (summary.startedAt ?? record.execution.startDate ?? now).getTime();
  const end = (summary.endedAt ?? record.execution.stopDate ?? now).getTime();
  const span = Math.max(end - start, 1);
  const rows = summary.visits.map((visit) => {
    const until = (visit.exitedAt ?? (model.done ? undefined : now))?.getTime();
    const offset = visit.enteredAt.getTime() - start;
    const length = until === undefined ? 0 : until - visit.enteredAt.getTime();
    const x = Math.min(Math.max((offset / span) * BAR_SCALE, 0), BAR_SCALE - 2);
    const width = Math.max((length / span) * BAR_SCALE, 2);
    const status = visit.status.replace('-', ' ').toUpperCase();
    return html`<tr id="visit-${visit.index}" class="visit status-${visit.status}" tabindex="-1">
<td class="num">${visit.index + 1}</td>
<th scope="row"><a href="#event-${visit.enteredEventId}">${visit.name}</a></th>
<td>${visit.type}</td>
<td class="num">+${duration(offset)}</td>
<td class="num">${until === undefined ? '—' : duration(length)}${visit.status === 'running' ? ' so far' : ''}</td>
<td>${badge(status, VISIT_TONES[visit.status])}${visit.attempts > 1 ? html` <span class="attempts">${visit.attempts} attempts</span>` : ''}${visit.error ? html`<div class="visit-error">${visit.error}</div>` : ''}</td>
<td class="bar-cell"><svg class="bar" viewBox="0 0 ${BAR_SCALE} 10" preserveAspectRatio="none" aria-hidden="true"><rect class="bar-${visit.status}" x="${x.toFixed(1)}" y="0" width="${Math.min(width, BAR_SCALE - x).toFixed(1)}" height="10"/></svg></td>
<td>${logLinks(model, visit)}</td>
</tr>`;
  });
  return html`<table class="timeline">
<caption>Each step of the execution: started after the execution began, how long it took, how it ended.</caption>
<thead><tr><th scope="col">#</th><th scope="col">State</th><th scope="col">Type</th><th scope="col">Started</th><th scope="col">Duration</th><th scope="col">Outcome</th><th scope="col" class="bar-cell">Timeline (${duration(span)} in all)</th><th scope="col">Logs</th></tr></thead>
<tbody>${rows.length ? rows : html`<tr><td colspan="8">No state entered yet.</td></tr>`}</tbody>
</table>
<p class="hint">Started at ${moment(new Date(start))}.</p>`;
}

function logLinks(model: ExecutionModel, visit: Visit): Content {
  const links: Html[] = [];
  const group = visit.resource ? model.functionLogGroups.get(visit.resource) : undefined;
  if (group) {
    const end = visit.exitedAt ? visit.exitedAt.getTime() + LOG_SLACK_MS : undefined;
    links.push(
      html`<a href="${consolePath('logs', { group, start: visit.enteredAt.getTime() - LOG_SLACK_MS, end, title: `${visit.name} (function)` })}">function logs<span class="visually-hidden"> of ${visit.name}, visit ${visit.index + 1}</span></a>`,
    );
  }
  if (visit.buildLogs)
    links.push(
      html`<a href="${consolePath('logs', { group: visit.buildLogs.group, stream: visit.buildLogs.stream, title: `${visit.name} (build)` })}">build logs<span class="visually-hidden"> of ${visit.name}</span></a>`,
    );
  return links.length ? links : '—';
}
