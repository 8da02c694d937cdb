import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import type { AppModel } from '../manifest/model.js';
import { type CreateAppOptions, createApp, type StepshipApp } from './app.js';

const CDK_JSON = fileURLToPath(new URL('../cdk.json', import.meta.url));

export interface SynthOptions extends CreateAppOptions {
  outdir: string;
  /** The app to synthesize, as its manifest describes it. */
  app: AppModel;
  /** Bundle the Lambda functions (esbuild); off for tests that only read templates. */
  bundle?: boolean;
}

/**
 * Synthesizes an app in-process, exactly as `cdk synth` does with
 * stepship's cdk.json context (its feature flags) — for `stepship synth`, the
 * local cloud and the tests, without the CDK CLI's start-up cost.
 */
export function synthesize(options: SynthOptions): StepshipApp {
  const { context } = JSON.parse(readFileSync(CDK_JSON, 'utf8')) as { context: Record<string, unknown> };
  const app = new App({
    outdir: options.outdir,
    context: { ...context, ...(options.bundle === false ? { 'aws:cdk:bundling-stacks': [] } : {}) },
  });
  const built = createApp(app, options.app, options);
  app.synth();
  return built;
}
