import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { type ServiceStatus, serviceStatus } from '../operations/service-status.js';
import { revisionOf, seconds, shortDigest, when } from '../render/format.js';
import { appOf, type CommonFlags, report, servicesNamed, whereOptions, withSession } from '../session.js';

export function statusCommand(program: Command, ctx: CliContext): void {
  whereOptions(
    program
      .command('status')
      .argument('[service]', 'one service (default: every service of the app)')
      .description(
        'The running revision and image digest, running/desired tasks, target health, and the last deployment and its outcome',
      ),
  ).action((name: string | undefined, flags: CommonFlags, command: Command) => {
    const app = appOf(command);
    const models = servicesNamed(app, name === undefined ? [] : [name]);
    return withSession(app, flags, async (session) => {
      const statuses: ServiceStatus[] = [];
      for (const model of models) statuses.push(await serviceStatus(session, model));
      report(ctx.io, flags.json, { services: statuses }, () => statuses.flatMap(statusLines));
    });
  });
}

export function statusLines(s: ServiceStatus): string[] {
  const primary = s.deployments.find((d) => d.status === 'PRIMARY');
  const lines = [
    `${s.service}  (cluster ${s.cluster})`,
    `  revision    ${revisionOf(s.taskDefinitionArn)}`,
    `  image       ${s.image}${s.imageDigest && !s.image.includes('@') ? `  (${shortDigest(s.imageDigest)})` : ''}`,
    `  tasks       ${s.runningCount} running / ${s.desiredCount} desired${s.pendingCount ? `, ${s.pendingCount} pending` : ''}`,
  ];
  if (primary)
    lines.push(
      `  rollout     ${primary.rolloutState}${primary.rolloutStateReason ? `: ${primary.rolloutStateReason}` : ''}  (${primary.id})`,
    );
  for (const d of s.deployments.filter((x) => x !== primary))
    lines.push(
      `              ${d.status} ${revisionOf(d.taskDefinition)}: ${d.running} running, ${d.rolloutState}`,
    );
  const healthy = s.targets.filter((t) => t.state === 'healthy').length;
  lines.push(
    `  targets     ${s.targets.length === 0 ? 'none registered' : `${healthy}/${s.targets.length} healthy`}${s.targets
      .filter((t) => t.state !== 'healthy')
      .map((t) => `; ${t.target} ${t.state}${t.reason ? ` (${t.reason})` : ''}`)
      .join('')}`,
  );
  const last = s.lastDeployment;
  lines.push(
    last
      ? `  last deploy ${last.status}  ${last.deploymentId}  ${when(last.startedAt)}  by ${last.requester} (${last.trigger})${last.timings?.total !== undefined ? `  in ${seconds(last.timings.total)}` : ''}`
      : '  last deploy none recorded',
  );
  if (last?.error) lines.push(`              ${last.error}: ${last.cause ?? ''}`);
  // While a rollout is under way or tasks fail, ECS's own events say why.
  const unsettled = primary?.rolloutState !== 'COMPLETED' || s.deployments.some((d) => d.failedTasks > 0);
  if (unsettled && s.events.length > 0)
    lines.push('  events', ...s.events.slice(0, 3).map((e) => `              ${e}`));
  return [...lines, ''];
}
