import { resolve } from 'node:path';
import type { Command } from 'commander';
import { stackNames } from '../../orchestration/stack-names.js';
import { loadApp } from '../app-context.js';
import { CDK_CLI_VERSION } from '../cdk-cli.js';
import type { CliContext } from '../context.js';
import { quietly } from '../quietly.js';

export function synthCommand(program: Command, ctx: CliContext): void {
  program
    .command('synth')
    .description(
      "Write the app's CloudFormation templates (a CDK cloud assembly) for review, cfn-lint and `cdk deploy --app <dir>`",
    )
    .option('-o, --output <dir>', 'where to write the assembly', 'cdk.out')
    .action(async (flags: { output: string }, command: Command) => {
      const app = loadApp(command.optsWithGlobals().app);
      const outdir = resolve(flags.output);
      // The CDK loads here, not for every command.
      const { synthesize } = await import('../../orchestration/synthesize.js');
      quietly(() => synthesize({ outdir, app }));
      const names = stackNames(app.name);
      ctx.io.out(`✓ synthesized ${names.app} and ${names.pipeline} (cdk-nag clean) into ${outdir}`);
      // The CDK CLI version that reads what this aws-cdk-lib writes (npm's `latest` of aws-cdk is older).
      ctx.io.out(
        `  Deploy to AWS with: npx --yes --package aws-cdk@${CDK_CLI_VERSION} cdk deploy --app ${outdir} --all`,
      );
    });
}
