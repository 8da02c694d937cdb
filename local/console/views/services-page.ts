import { consolePath } from '../paths.js';
import type { DeploymentRecordView } from '../read/deployments.js';
import type { ClusterView, ServiceView, TargetGroupView, TaskView } from '../read/services.js';
import { executionLink } from './execution-page.js';
import { badge, causeCell, duration, moment } from './format.js';
import { type Content, type Html, html } from './html.js';
import { page } from './page.js';

export interface ServicesModel {
  clusters: ClusterView[];
  /** Newest first. */
  records: DeploymentRecordView[];
  /** Parts that could not be read, with why; the rest of the page still shows. */
  problems: string[];
  running: boolean;
}

/** Each app (ECS cluster) with its services: tasks, target health, ECS deployments and events, the last deployment. */
export function servicesSection(model: ServicesModel): Html {
  return html`${problemsView(model.problems)}
${model.clusters.length === 0 ? html`<p>No ECS cluster yet: provision the app (npm start) and its services appear here.</p>` : ''}
${model.clusters.map(
  (cluster) => html`<section class="cluster" aria-labelledby="cluster-${cluster.name}">
<h2 id="cluster-${cluster.name}">App cluster <span class="name">${cluster.name}</span></h2>
${cluster.services.length === 0 ? html`<p>No services.</p>` : cluster.services.map((s) => serviceView(s, model.records))}
</section>`,
)}`;
}

export function servicesPage(model: ServicesModel): Html {
  return page({
    title: 'Services',
    current: 'services',
    ...(model.running ? { poll: consolePath('services.json') } : {}),
    body: html`<h1>Apps and services</h1><div id="services-body">${servicesSection(model)}</div>`,
  });
}

function serviceView(service: ServiceView, records: DeploymentRecordView[]): Html {
  const last = records.find((r) => r.service === service.name);
  const id = `service-${service.cluster.split('/').pop()}-${service.name}`;
  return html`<article class="service" aria-labelledby="${id}">
<h3 id="${id}">Service <span class="name">${service.name}</span> ${badge(service.status)}</h3>
<dl class="facts">
<div><dt>Tasks</dt><dd>${service.runningCount ?? 0} running of ${service.desiredCount ?? 0} desired${service.pendingCount ? `, ${service.pendingCount} pending` : ''}</dd></div>
<div><dt>Task definition</dt><dd>${service.taskDefinition?.split('/').pop() ?? '—'}</dd></div>
<div><dt>Last deployment</dt><dd>${last ? lastDeployment(last) : 'none recorded'}</dd></div>
</dl>
<h4>Tasks</h4>
${tasksTable(service.tasks, `Running tasks of ${service.name}`, false)}
${service.stoppedTasks.length ? html`<h4>Recently stopped tasks</h4>${tasksTable(service.stoppedTasks, `Recently stopped tasks of ${service.name}`, true)}` : ''}
<h4>Target health</h4>
${service.targetGroups.length ? service.targetGroups.map(targetsTable) : html`<p>Not behind a load balancer.</p>`}
<h4>ECS deployments</h4>
${ecsDeployments(service)}
${service.events.length ? html`<details class="service-events"><summary>Latest service events (${service.events.length})</summary><ol>${service.events.map((e) => html`<li>${moment(e.createdAt)} ${e.message}</li>`)}</ol></details>` : ''}
</article>`;
}

function lastDeployment(record: DeploymentRecordView): Content {
  const took = record.timings.total;
  return html`${executionLink(record.executionArn, record.deploymentId)} ${badge(record.status)} ${moment(record.startedAt)}${took !== undefined ? ` (${duration(took)})` : ''}${record.error ? html`<div class="cause-line">${causeCell(record.error, record.cause)}</div>` : ''}`;
}

function tasksTable(tasks: TaskView[], caption: string, stopped: boolean): Html {
  if (tasks.length === 0) return html`<p>None.</p>`;
  return html`<table class="tasks"><caption class="visually-hidden">${caption}</caption>
<thead><tr><th scope="col">Task</th><th scope="col">Status</th><th scope="col">Health</th><th scope="col">Private IP</th><th scope="col">Revision</th><th scope="col">${stopped ? 'Stopped' : 'Started'}</th>${stopped ? html`<th scope="col">Reason</th>` : ''}<th scope="col">Logs</th></tr></thead>
<tbody>${tasks.map(
    (t) =>
      html`<tr><th scope="row"><code title="${t.taskArn}">${t.id.slice(0, 12)}</code></th><td>${badge(t.lastStatus)}</td><td>${t.healthStatus ?? '—'}</td><td class="ip">${t.privateIp ?? '—'}</td><td>${t.revision ?? '—'}</td><td>${moment(stopped ? t.stoppedAt : t.startedAt)}</td>${stopped ? html`<td>${t.stoppedReason ?? '—'}</td>` : ''}<td>${
        t.logs.length
          ? t.logs.map(
              (l) =>
                html`<a href="${consolePath('logs', { group: l.group, stream: l.stream, title: `task ${t.id.slice(0, 12)}` })}">${l.stream.split('/')[1] ?? 'logs'}<span class="visually-hidden"> logs of task ${t.id.slice(0, 12)}</span></a> `,
            )
          : '—'
      }</td></tr>`,
  )}</tbody></table>`;
}

function targetsTable(group: TargetGroupView): Html {
  const name = group.arn.split(':').pop()?.split('/')[1] ?? group.arn;
  if (group.error) return html`<p class="error">Target group ${name}: ${group.error}</p>`;
  return html`<table class="targets"><caption>Target group ${name}</caption>
<thead><tr><th scope="col">Target</th><th scope="col">Port</th><th scope="col">State</th><th scope="col">Reason</th></tr></thead>
<tbody>${group.targets.length ? group.targets.map((t) => html`<tr><th scope="row" class="ip">${t.id}</th><td>${t.port ?? '—'}</td><td>${badge(t.state)}</td><td>${t.reason ? html`${t.reason}: ${t.description ?? ''}` : '—'}</td></tr>`) : html`<tr><td colspan="4">No targets registered.</td></tr>`}</tbody></table>`;
}

function ecsDeployments(service: ServiceView): Html {
  if (service.deployments.length === 0) return html`<p>None.</p>`;
  return html`<table class="ecs-deployments"><caption class="visually-hidden">ECS deployments of ${service.name}</caption>
<thead><tr><th scope="col">Deployment</th><th scope="col">Status</th><th scope="col">Rollout</th><th scope="col">Task definition</th><th scope="col">Running</th><th scope="col">Failed tasks</th></tr></thead>
<tbody>${service.deployments.map(
    (d) =>
      html`<tr><th scope="row"><code>${d.id}</code></th><td>${d.status}</td><td>${badge(d.rolloutState)}${d.rolloutStateReason ? html`<div class="${d.rolloutState === 'FAILED' ? 'cause-line' : 'hint'}">${d.rolloutStateReason}</div>` : ''}</td><td>${d.taskDefinition?.split('/').pop()}</td><td>${d.runningCount ?? 0} of ${d.desiredCount ?? 0}</td><td>${d.failedTasks ?? 0}</td></tr>`,
  )}</tbody></table>`;
}

export function problemsView(problems: string[]): Html | string {
  return problems.length
    ? html`<div class="problems" role="status"><p>Some of this page could not be read:</p><ul>${problems.map((p) => html`<li>${p}</li>`)}</ul></div>`
    : '';
}
