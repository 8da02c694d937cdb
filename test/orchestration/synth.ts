import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import type { StepshipApp } from '../../orchestration/app.js';
import { synthesize } from '../../orchestration/synthesize.js';

export interface Synthesized extends StepshipApp {
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
  const built = synthesize({
    outdir,
    stepship: options.stepship,
    env: options.env ?? {},
    bundle: options.bundle ?? false,
  });
  return {
    ...built,
    outdir,
    serviceTemplate: Template.fromStack(built.service),
    pipelineTemplate: Template.fromStack(built.pipeline),
  };
}
