import type { Command } from 'commander';
import type { DeploymentRecord } from '../../functions/commons/records.js';
import { STEPSHIP_TAG_PREFIX } from '../../functions/contract/tags.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { type HistoryPage, serviceHistory } from '../operations/records.js';
import { countOption } from '../options.js';
import { columns, seconds, shortDigest, when } from '../render/format.js';
import { appOf, type CommonFlags, report, servicesNamed, whereOptions, withSession } from '../session.js';

interface HistoryFlags extends CommonFlags {
  limit: number;
  nextToken?: string;
}

const PHASES = ['build', 'register', 'rollout', 'verify'] as const;

export function historyCommand(program: Command, ctx: CliContext): void {
  whereOptions(
    program
      .command('history')
      .argument('[service]', 'one service (default: every service, merged by time)')
      .description(
        'Deployment records, newest first: when, who, trigger, image, outcome, cause and phase timings',
      )
      .option('--limit <n>', 'how many records (1–1000)', countOption('--limit', 1000), 20)
      .option('--next-token <token>', 'continue after the page a previous `history SERVICE` printed'),
  ).action((name: string | undefined, flags: HistoryFlags, command: Command) => {
    const app = appOf(command);
    const models = servicesNamed(app, name === undefined ? [] : [name]);
    if (flags.nextToken !== undefined && name === undefined)
      throw new UsageError("--next-token continues one service's history: name the service");
    return withSession(app, flags, async (session) => {
      const pages: HistoryPage[] = [];
      for (const model of models)
        pages.push(
          await serviceHistory(
            session.clients.dynamodb,
            session.resources.recordsTable,
            model.name,
            flags.limit,
            flags.nextToken,
          ),
        );
      const records = pages
        .flatMap((p) => p.records)
        .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
        .slice(0, flags.limit);
      const nextToken = name !== undefined ? pages[0]?.nextToken : undefined;
      report(ctx.io, flags.json, { deployments: records, ...(nextToken ? { nextToken } : {}) }, () => [
        ...historyLines(records),
        ...(nextToken ? ['', `Older deployments: --next-token ${nextToken}`] : []),
      ]);
    });
  });
}

export function historyLines(records: DeploymentRecord[]): string[] {
  if (records.length === 0) return ['No deployments recorded.'];
  const rows = [['STARTED', 'SERVICE', 'DEPLOYMENT', 'BY', 'IMAGE', 'OUTCOME', 'TOTAL', 'PHASES']];
  const causes = new Map<number, string>();
  for (const r of records) {
    const t = r.timings ?? {};
    rows.push([
      when(r.startedAt),
      r.service,
      r.deploymentId,
      `${r.requester} (${r.trigger})`,
      // stepship's own build tags say nothing a person needs: the digest does.
      r.imageTag && !r.imageTag.startsWith(STEPSHIP_TAG_PREFIX) ? r.imageTag : shortDigest(r.imageDigest),
      r.status,
      t.total === undefined ? '—' : seconds(t.total),
      PHASES.flatMap((p) => (t[p] === undefined ? [] : [`${p} ${seconds(t[p])}`])).join(' · ') || '—',
    ]);
    if (r.error) causes.set(rows.length - 1, `${r.error}: ${r.cause ?? ''}`);
  }
  return columns(rows).flatMap((line, i) => {
    const cause = causes.get(i);
    return cause ? [line, `    ${cause.length > 300 ? `${cause.slice(0, 300)}…` : cause}`] : [line];
  });
}
