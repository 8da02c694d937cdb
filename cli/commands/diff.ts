import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { EXIT } from '../errors.js';
import { type DeployPlan, planDeploys } from '../operations/deploy-plan.js';
import { diffService, type ServiceDiff } from '../operations/service-diff.js';
import { columns, revisionOf } from '../render/format.js';
import { appOf, type CommonFlags, report, type Session, whereOptions, withSession } from '../session.js';

interface DiffFlags extends CommonFlags {
  image?: string;
  source?: string;
}

export function diffCommand(program: Command, ctx: CliContext): void {
  whereOptions(
    program
      .command('diff')
      .argument('[service]', 'one service (default: every service of the app)')
      .description(
        'What a deployment would change (the running task definition against the manifest and the image), and the pre-flight checks; changes nothing',
      )
      .option('--image <tag|digest>', "an image in the service's repository (default: a build of its folder)")
      .option('--source <dir>', 'a folder to build instead of the manifest’s'),
  ).action((name: string | undefined, flags: DiffFlags, command: Command) => {
    const app = appOf(command);
    const plans = planDeploys(app, name === undefined ? [] : [name], flags);
    return withSession(app, flags, async (session) => {
      const diffs = await diffPlans(session, plans);
      report(ctx.io, flags.json, { services: diffs }, () => diffs.flatMap(diffLines));
      if (diffs.some(failed)) ctx.setExit(EXIT.failed);
    });
  });
}

export async function diffPlans(session: Session, plans: DeployPlan[]): Promise<ServiceDiff[]> {
  const diffs: ServiceDiff[] = [];
  for (const plan of plans) diffs.push(await diffService(session, plan.service, plan.source));
  return diffs;
}

export const failed = (diff: ServiceDiff): boolean => diff.checks.some((c) => !c.ok);

export function diffLines(d: ServiceDiff): string[] {
  const lines = [`${d.service}  (running ${revisionOf(d.taskDefinitionArn)})`];
  lines.push(
    d.deploy.length > 0
      ? '  a deployment changes:'
      : failed(d)
        ? '  a deployment would not start (see the pre-flight checks)'
        : '  a deployment changes nothing it runs',
  );
  lines.push(...columns(d.deploy.map((c) => [`    ${c.field}`, `${c.from} → ${c.to}`])));
  if (d.drift.length > 0) {
    lines.push(
      '  the manifest differs from what runs (a deployment keeps these; `stepship synth` and cdk deploy change them):',
    );
    lines.push(...columns(d.drift.map((c) => [`    ${c.field}`, `${c.from} → ${c.to}`])));
  }
  lines.push('  pre-flight:');
  lines.push(
    ...columns(d.checks.map((c) => [`    ${c.ok ? (c.warning ? '!' : '✓') : '✗'} ${c.check}`, c.detail])),
  );
  return [...lines, ''];
}
