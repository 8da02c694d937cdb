import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { follow } from '../deploy.js';
import { EXIT } from '../errors.js';
import { followPollMs, startOne } from '../operations/deploy-run.js';
import { rollbackTarget } from '../operations/rollback-target.js';
import { revisionOf, seconds } from '../render/format.js';
import { appOf, type CommonFlags, serviceNamed, whereOptions, withSession } from '../session.js';
import { outcomeLine } from './deploy.js';

interface RollbackFlags extends CommonFlags {
  to?: string;
  wait: boolean;
}

export function rollbackCommand(program: Command, ctx: CliContext): void {
  whereOptions(
    program
      .command('rollback')
      .argument('[service]', 'the service (default: the app’s only one)')
      .description(
        'Deploy an earlier revision again through the state machine, verified as any deployment: by default the last verified one',
      )
      .option(
        '--to <deployment|revision>',
        'a deployment id (stepship history), a revision number, family:revision or a task definition ARN',
      )
      .option('--no-wait', 'start the rollback and print its deployment id without following it'),
  ).action((name: string | undefined, flags: RollbackFlags, command: Command) => {
    const { io } = ctx;
    const app = appOf(command);
    const model = serviceNamed(app, name);
    return withSession(app, flags, async (session) => {
      const target = await rollbackTarget(session, model, flags.to);
      const text = !flags.json;
      const started = await startOne(session, model.name, {
        kind: 'revision',
        taskDefinition: target.taskDefinitionArn,
      });
      if (text)
        io.out(
          `→ rolling ${model.name} back from ${revisionOf(target.from)} to ${revisionOf(target.taskDefinitionArn)}${target.deployment ? ` (deployment ${target.deployment.deploymentId}, ${target.deployment.startedAt})` : ''}: deployment ${started.deploymentId}`,
        );
      if (!flags.wait) {
        if (flags.json) io.out(JSON.stringify({ rollback: { ...target, ...started } }, null, 2));
        return;
      }
      const outcome = await follow(
        session.clients,
        started.executionArn,
        (s) => text && io.out(`  ${s.ok ? '✓' : '✗'} ${s.step.padEnd(24)} ${seconds(s.ms)}`),
        followPollMs(session),
      );
      if (text) io.out(outcomeLine(model.name, outcome));
      else io.out(JSON.stringify({ rollback: { ...target, ...started, outcome } }, null, 2));
      if (outcome.status !== 'SUCCEEDED') ctx.setExit(EXIT.failed);
    });
  });
}
