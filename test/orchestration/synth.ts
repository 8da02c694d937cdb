import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import type { AppModel } from '../../manifest/model.js';
import type { StepshipApp } from '../../orchestration/app.js';
import { synthesize } from '../../orchestration/synthesize.js';
import { demoApp } from '../helpers/local-deployment.js';

export interface Synthesized extends StepshipApp {
  appTemplate: Template;
  pipelineTemplate: Template;
  outdir: string;
}

/**
 * Synthesizes an app (the bundled demo unless given) as `cdk synth` would
 * (cdk.json's context, cdk-nag on), into a temporary directory. Lambda
 * bundling is skipped unless asked for: it is exercised once, in its own test.
 */
export function synth(
  options: { app?: AppModel; bundle?: boolean; lambdaBundleCache?: string } = {},
): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'stepship-synth-'));
  const built = synthesize({
    outdir,
    app: options.app ?? demoApp(),
    bundle: options.bundle ?? false,
    lambdaBundleCache: options.lambdaBundleCache,
  });
  return {
    ...built,
    outdir,
    appTemplate: Template.fromStack(built.appStack),
    pipelineTemplate: Template.fromStack(built.pipeline),
  };
}
