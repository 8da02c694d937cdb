import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { duration, moment, prettyJson, type Tone } from './format.js';
import { type Html, html } from './html.js';

/** Members of an event's details whose text is JSON a reader wants laid out. */
const JSON_MEMBERS = new Set(['input', 'output', 'parameters', 'cause']);

function toneOfEvent(type: string): Tone {
  if (/(Failed|TimedOut|Aborted)$/.test(type)) return 'bad';
  if (/(Succeeded|Exited)$/.test(type)) return 'ok';
  if (/(Entered|Started|Scheduled|Submitted)$/.test(type)) return 'busy';
  return 'idle';
}

/** Which state each event happened in: the one entered last and not yet exited. */
export function statesOfEvents(events: readonly HistoryEvent[]): Map<number, string> {
  const states = new Map<number, string>();
  let current: string | undefined;
  for (const event of events) {
    const entered = event.stateEnteredEventDetails?.name;
    if (entered !== undefined) current = entered;
    if (current !== undefined) states.set(event.id ?? 0, current);
    if (event.stateExitedEventDetails?.name !== undefined) current = undefined;
  }
  return states;
}

/**
 * The event history as the Step Functions console lists it: id, type, state,
 * time since the start; each event opens to its details (input, output,
 * parameters, error and cause, JSON laid out). Only events after `afterId`
 * are rendered, so a running execution's page can append what is new.
 */
export function historyItems(events: readonly HistoryEvent[], afterId = 0): Html[] {
  const states = statesOfEvents(events);
  const start = events[0]?.timestamp?.getTime() ?? 0;
  return events
    .filter((event) => (event.id ?? 0) > afterId)
    .map((event) => {
      const id = event.id ?? 0;
      const type = event.type ?? 'Unknown';
      const state = states.get(id);
      const offset = (event.timestamp?.getTime() ?? start) - start;
      return html`<li><details id="event-${id}" class="event tone-${toneOfEvent(type)}">
<summary><span class="event-id">${id}</span> <span class="event-type">${type}</span>${state !== undefined ? html` <span class="event-state">${state}</span>` : ''} <span class="event-offset">+${duration(offset)}</span></summary>
<div class="event-body"><p>${moment(event.timestamp, 'milliseconds')} · previous event ${event.previousEventId ?? '—'}</p>${detailsOf(event)}</div>
</details></li>`;
    });
}

export function historyView(events: readonly HistoryEvent[]): Html {
  const last = events.at(-1)?.id ?? 0;
  return html`<p class="history-tools"><button type="button" data-action="expand-all">Expand all</button> <button type="button" data-action="collapse-all">Collapse all</button> <span class="hint" id="history-count">${events.length} events</span></p>
<ol class="history" id="history-list" data-last-event="${last}">${historyItems(events)}</ol>`;
}

function detailsOf(event: HistoryEvent): Html[] {
  const out: Html[] = [];
  for (const [key, value] of Object.entries(event)) {
    if (!key.endsWith('EventDetails') || typeof value !== 'object' || value === null) continue;
    for (const [member, content] of Object.entries(value as Record<string, unknown>)) {
      if (content === undefined || (typeof content === 'object' && content !== null)) continue;
      const text = String(content);
      out.push(
        JSON_MEMBERS.has(member)
          ? html`<h4>${member}</h4><pre class="json" tabindex="0">${prettyJson(text)}</pre>`
          : html`<p><span class="member">${member}</span> ${text}</p>`,
      );
    }
  }
  return out;
}
