import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { createApp, type StepshipApp } from '../../orchestration/app.js';

const CDK_JSON = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};

export interface Synthesized extends StepshipApp {
  service: StepshipApp['service'];
  serviceTemplate: Template;
  pipelineTemplate: Template;
  outdir: string;
}

/**
 * Synthesizes the app as `cdk synth` would (cdk.json's context, cdk-nag on),
 * into a temporary directory. Lambda bundling is skipped unless asked for:
 * it is exercised once, in its own test.
 */
export function synth(
  options: { stepship?: Record<string, unknown>; env?: NodeJS.ProcessEnv; bundle?: boolean } = {},
): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'stepship-synth-'));
  const app = new App({
    outdir,
    context: {
      ...CDK_JSON.context,
      stepship: options.stepship ?? {},
      'aws:cdk:bundling-stacks': options.bundle ? ['**'] : [],
    },
  });
  const built = createApp(app, options.env ?? {});
  app.synth();
  return {
    ...built,
    outdir,
    serviceTemplate: Template.fromStack(built.service),
    pipelineTemplate: Template.fromStack(built.pipeline),
  };
}
