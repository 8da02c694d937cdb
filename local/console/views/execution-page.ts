import type { ExecutionModel } from '../execution-model.js';
import { parseJson } from '../model/execution-summary.js';
import { consolePath, executionPath } from '../paths.js';
import type { DeploymentRecordView } from '../read/deployments.js';
import { badge, duration, moment, prettyJson, runBadge, shortDigest } from './format.js';
import { graphSvg, nodeFacts } from './graph-svg.js';
import { historyItems, historyView } from './history-view.js';
import { type Content, type Html, html } from './html.js';
import { page } from './page.js';
import { timelineView } from './timeline-view.js';

export function executionPage(model: ExecutionModel): Html {
  const { execution } = model.record;
  const arn = execution.executionArn ?? '';
  return page({
    title: `Execution ${execution.name ?? arn}`,
    current: 'none',
    ...(model.done ? {} : { poll: consolePath('execution.json', { arn }) }),
    body: html`<p class="crumbs"><a href="${consolePath('deployments')}">Deployments</a> › execution</p>
<h1>Execution <span class="name">${execution.name ?? arn}</span></h1>
<section id="summary" aria-labelledby="summary-title"><h2 id="summary-title" class="visually-hidden">Summary</h2><div id="summary-body">${summaryView(model)}</div></section>
<section id="graph" aria-labelledby="graph-title"><h2 id="graph-title">Graph</h2>
<p class="legend">States: ✓ succeeded, ✗ failed, ▶ running now, dashed outline: not visited, ×N: visits. Lines: heavy for the transitions taken, dashed for Catch paths. Select a state to go to its latest visit in the timeline.</p>
<div class="graph-scroll" tabindex="0" role="region" aria-label="Graph, scrollable">${model.graph ? graphSvg(model.graph.layout, model.graph.path, model.latestVisit) : html`<p class="error">The graph cannot be drawn: ${model.graphError}</p>`}</div>
</section>
<section id="timeline" aria-labelledby="timeline-title"><h2 id="timeline-title">Timeline</h2><div id="timeline-body">${timelineView(model)}</div></section>
<section id="history" aria-labelledby="history-title"><h2 id="history-title">Event history</h2>${historyView(model.record.events)}</section>`,
  });
}

/**
 * The JSON view the page polls while the execution runs: the same model,
 * with the parts that change rendered once more (the graph's layout stays;
 * only its nodes' statuses and the edges taken change).
 */
export function executionJson(model: ExecutionModel, afterEventId: number): unknown {
  const { execution } = model.record;
  const graph = model.graph;
  const events = model.record.events;
  return {
    executionArn: execution.executionArn,
    status: execution.status,
    done: model.done,
    announce: model.done ? `Execution ${execution.status}` : undefined,
    states: Object.fromEntries(model.summary.states),
    graph: graph && {
      nodes: graph.layout.nodes.map((node) => nodeFacts(node, graph.path, model.latestVisit)),
      takenEdges: [...graph.path.takenEdges],
    },
    lastEventId: events.at(-1)?.id ?? 0,
    sections: {
      'summary-body': summaryView(model).text,
      'timeline-body': timelineView(model).text,
      'history-count': `${events.length} events`,
    },
    append: {
      'history-list': historyItems(events, afterEventId)
        .map((item) => item.text)
        .join(''),
    },
  };
}

function summaryView(model: ExecutionModel): Html {
  const { execution } = model.record;
  const { summary, deployment } = model;
  const stop = execution.stopDate ?? (model.done ? undefined : model.now);
  const took = execution.startDate && stop ? stop.getTime() - execution.startDate.getTime() : undefined;
  const current = summary.visits.filter((v) => v.status === 'running').map((v) => v.name);
  return html`<dl class="facts">
<div><dt>Status</dt><dd data-status="${execution.status}">${runBadge(execution.status)}${current.length ? html` in <strong>${current.join(', ')}</strong>` : ''}</dd></div>
<div><dt>State machine</dt><dd>${execution.stateMachineArn?.split(':').pop()}</dd></div>
<div><dt>Started</dt><dd>${moment(execution.startDate)}</dd></div>
<div><dt>${model.done ? 'Duration' : 'Running for'}</dt><dd>${duration(took)}</dd></div>
${deployment ? deploymentFacts(deployment) : ''}
</dl>
${failureView(model)}`;
}

function deploymentFacts(record: DeploymentRecordView): Html {
  const image = record.imageTag ?? shortDigest(record.imageDigest) ?? record.imageUri;
  return html`<div><dt>Deployment</dt><dd>${record.service} · ${badge(record.status)}</dd></div>
<div><dt>Trigger</dt><dd>${record.trigger ?? '—'} by ${record.requester ?? '—'}</dd></div>
<div><dt>Image</dt><dd>${image ?? '—'}${record.imageDigest && record.imageTag ? html` <code>${shortDigest(record.imageDigest)}</code>` : ''}</dd></div>
${record.rolledBackTo ? html`<div><dt>Rolled back to</dt><dd>${record.rolledBackTo.split('/').pop()}</dd></div>` : ''}
${Object.keys(record.timings).length ? html`<div><dt>Phases</dt><dd>${phases(record.timings)}</dd></div>` : ''}`;
}

export function phases(timings: Record<string, number>): Content {
  return Object.entries(timings).map(
    ([phase, ms], i) => html`${i ? ' · ' : ''}<span class="phase">${phase} ${duration(ms)}</span>`,
  );
}

/** Why it failed: the execution's error and cause, the step that failed with it first, and the record's cause. */
function failureView(model: ExecutionModel): Html | string {
  const { execution } = model.record;
  const error = execution.error ?? model.deployment?.error;
  const failed = model.summary.visits.filter((v) => v.status === 'failed' || v.status === 'timed-out');
  // A failure the workflow handled on its way (a heartbeat timeout that falls back to a check) is not
  // why it failed: point at the first step that failed with the execution's own error, if one did.
  const firstFailure = failed.find((v) => error !== undefined && v.error === error) ?? failed[0];
  const cause = execution.cause ?? model.deployment?.cause;
  if (!error && !cause && !firstFailure) return '';
  const message = (parseJson(cause) as { errorMessage?: unknown } | undefined)?.errorMessage;
  return html`<div class="failure" id="failure">
<h3>Why it failed</h3>
<p><strong class="error-name">${error ?? firstFailure?.error ?? 'Error'}</strong>${typeof message === 'string' ? html`: ${message}` : ''}</p>
${cause ? html`<pre class="cause" tabindex="0">${prettyJson(cause)}</pre>` : ''}
${firstFailure ? html`<p>First failed step: <a href="#visit-${firstFailure.index}">${firstFailure.name}</a>${firstFailure.error ? html` (${firstFailure.error})` : ''}.</p>` : ''}
</div>`;
}

export function executionLink(arn: string | undefined, text: Content): Html | Content {
  return arn ? html`<a href="${executionPath(arn)}">${text}</a>` : text;
}
