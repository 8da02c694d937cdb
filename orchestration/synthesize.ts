import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { createApp, type StepshipApp } from './app.js';

const CDK_JSON = fileURLToPath(new URL('../cdk.json', import.meta.url));

export interface SynthOptions {
  outdir: string;
  /** Overrides of the "stepship" configuration context. */
  stepship?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  /** Bundle the Lambda functions (esbuild); off for tests that only read templates. */
  bundle?: boolean;
}

/**
 * Synthesizes the app in-process, exactly as `cdk synth` does with cdk.json's
 * context (feature flags, "stepship" configuration) — for the local cloud and
 * the tests, without the CLI's start-up cost.
 */
export function synthesize(options: SynthOptions): StepshipApp {
  const { context } = JSON.parse(readFileSync(CDK_JSON, 'utf8')) as { context: Record<string, unknown> };
  const app = new App({
    outdir: options.outdir,
    context: {
      ...context,
      stepship: { ...(context.stepship as object), ...options.stepship },
      ...(options.bundle === false ? { 'aws:cdk:bundling-stacks': [] } : {}),
    },
  });
  const built = createApp(app, options.env ?? process.env);
  app.synth();
  return built;
}
