import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import type { DeploymentOutcome } from '../deploy.js';
import { EXIT, UsageError } from '../errors.js';
import { planDeploys } from '../operations/deploy-plan.js';
import { type DeployProgress, runDeploys } from '../operations/deploy-run.js';
import { seconds } from '../render/format.js';
import { appOf, type CommonFlags, report, whereOptions, withSession } from '../session.js';
import { diffLines, diffPlans, failed } from './diff.js';

interface DeployFlags extends CommonFlags {
  image?: string;
  source?: string;
  wait: boolean;
  dryRun?: boolean;
}

export function deployCommand(program: Command, ctx: CliContext): void {
  whereOptions(
    program
      .command('deploy')
      .argument('[services...]', 'the services to deploy (default: all of them, in dependsOn order)')
      .description(
        'Deploy through the state machine, as the API and an ECR push do: build each service from its folder (or deploy --image), following every step to the end',
      )
      .option('--image <tag|digest>', "deploy this image of each service's repository instead of building")
      .option('--source <dir>', "build this folder instead of the manifest's (one service)")
      .option('--no-wait', 'start the deployments and print their ids without following them')
      .option('--dry-run', 'show what would change and run the pre-flight checks; start nothing'),
  ).action((names: string[], flags: DeployFlags, command: Command) => {
    const { io } = ctx;
    const app = appOf(command);
    const plans = planDeploys(app, names, flags);
    const named = plans.find((p) => names.length > 0 && p.source.kind === 'skip');
    if (named && named.source.kind === 'skip')
      throw new UsageError(`${named.service.name} ${named.source.reason}`);
    return withSession(app, flags, async (session) => {
      if (flags.dryRun) {
        const diffs = await diffPlans(session, plans);
        report(io, flags.json, { dryRun: true, services: diffs }, () => [
          ...diffs.flatMap(diffLines),
          'Dry run: nothing was started.',
        ]);
        if (diffs.some(failed)) ctx.setExit(EXIT.failed);
        return;
      }
      const text = !flags.json;
      const progress: DeployProgress = {
        skipped: (service, reason) => text && io.out(`· ${service} ${reason}`),
        started: (service, started, source) =>
          text &&
          io.out(
            flags.wait
              ? `→ deploying ${service} (${source.kind === 'source' ? `built from ${source.dir}` : 'image'}): deployment ${started.deploymentId}`
              : `${service}: ${started.deploymentId}`,
          ),
        step: (_service, s) => text && io.out(`  ${s.ok ? '✓' : '✗'} ${s.step.padEnd(24)} ${seconds(s.ms)}`),
        finished: (service, outcome) => text && io.out(outcomeLine(service, outcome)),
      };
      const results = await runDeploys(session, plans, flags.wait, progress);
      const failure = results.find((r) => r.outcome && r.outcome.status !== 'SUCCEEDED');
      if (text && failure) {
        const rest = plans.slice(plans.findIndex((p) => p.service.name === failure.service) + 1);
        if (rest.length > 0)
          io.out(
            `· not deployed, since ${failure.service} failed: ${rest.map((p) => p.service.name).join(', ')}`,
          );
      }
      if (text && !flags.wait && results.some((r) => r.deploymentId))
        io.out('Follow them with `stepship status` and `stepship history`.');
      if (flags.json) io.out(JSON.stringify({ deployments: results }, null, 2));
      if (failure) ctx.setExit(EXIT.failed);
    });
  });
}

export function outcomeLine(service: string, outcome: DeploymentOutcome): string {
  return outcome.status === 'SUCCEEDED'
    ? `✓ ${service}: deployment ${outcome.deploymentId} SUCCEEDED in ${seconds(outcome.totalMs)}`
    : `✗ ${service}: deployment ${outcome.deploymentId} ${outcome.status}: ${outcome.error}: ${outcome.cause}`;
}
