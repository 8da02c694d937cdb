import { consolePath } from '../paths.js';
import type { DeploymentRecordView } from '../read/deployments.js';
import type { MachineExecutions } from '../read/executions.js';
import { executionLink } from './execution-page.js';
import { badge, causeCell, duration, moment, runBadge, shortDigest } from './format.js';
import { type Html, html } from './html.js';
import { page } from './page.js';
import { problemsView } from './services-page.js';

export interface DeploymentsModel {
  records: DeploymentRecordView[];
  machines: MachineExecutions[];
  problems: string[];
  running: boolean;
}

/** stepship's deployment records, then every state machine's executions (a record is written by Prepare; a run refused before it has none). */
export function deploymentsSection(model: DeploymentsModel): Html {
  return html`${problemsView(model.problems)}
<section aria-labelledby="records-title"><h2 id="records-title">Deployment records</h2>
${model.records.length === 0 ? html`<p>No deployment recorded yet.</p>` : recordsTable(model.records)}
</section>
${model.machines.map(
  ({
    machine,
    executions,
  }) => html`<section aria-labelledby="machine-${machine.name}"><h2 id="machine-${machine.name}">Executions of <span class="name">${machine.name}</span></h2>
${
  executions.length === 0
    ? html`<p>No executions.</p>`
    : html`<table class="executions"><caption class="visually-hidden">Executions of ${machine.name}, newest first</caption>
<thead><tr><th scope="col">Execution</th><th scope="col">Status</th><th scope="col">Started</th><th scope="col">Duration</th></tr></thead>
<tbody>${executions.map(
        (e) =>
          html`<tr><th scope="row">${executionLink(e.executionArn, e.name)}</th><td>${runBadge(e.status)}</td><td>${moment(e.startDate)}</td><td>${e.startDate && e.stopDate ? duration(e.stopDate.getTime() - e.startDate.getTime()) : 'running'}</td></tr>`,
      )}</tbody></table>`
}</section>`,
)}`;
}

export function deploymentsPage(model: DeploymentsModel): Html {
  return page({
    title: 'Deployments',
    current: 'deployments',
    ...(model.running ? { poll: consolePath('deployments.json') } : {}),
    body: html`<h1>Deployments</h1><div id="deployments-body">${deploymentsSection(model)}</div>`,
  });
}

function recordsTable(records: DeploymentRecordView[]): Html {
  return html`<div class="table-scroll"><table class="records"><caption class="visually-hidden">Deployments, newest first</caption>
<thead><tr><th scope="col">Deployment</th><th scope="col">Service</th><th scope="col">Status</th><th scope="col">Trigger</th><th scope="col">Requester</th><th scope="col">Image</th><th scope="col">Started</th><th scope="col">Duration</th><th scope="col">Phases</th><th scope="col">Cause</th></tr></thead>
<tbody>${records.map((r) => {
    const took =
      r.timings.total ??
      (r.startedAt && r.finishedAt ? Date.parse(r.finishedAt) - Date.parse(r.startedAt) : undefined);
    return html`<tr class="record" data-deployment="${r.deploymentId}"><th scope="row">${executionLink(r.executionArn, r.deploymentId)}</th><td>${r.service ?? '—'}</td><td>${badge(r.status)}</td><td>${r.trigger ?? '—'}</td><td>${r.requester ?? '—'}</td><td class="image">${r.imageTag ?? '—'}${r.imageDigest ? html`<br><code>${shortDigest(r.imageDigest)}</code>` : ''}</td><td>${moment(r.startedAt)}</td><td>${duration(took)}</td><td class="phases">${Object.entries(
      r.timings,
    )
      .filter(([phase]) => phase !== 'total')
      .map(
        ([phase, ms]) => html`<span class="phase">${phase} ${duration(ms)}</span> `,
      )}</td><td class="cause-cell">${causeCell(r.error, r.cause)}</td></tr>`;
  })}</tbody></table></div>`;
}
