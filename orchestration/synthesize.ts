import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import type { AppModel } from '../manifest/model.js';
import { type CreateAppOptions, createApp, type StepshipApp } from './app.js';
import {
  LAMBDA_BUNDLE_CACHE_ENV,
  LAMBDA_BUNDLE_KEY_CONTEXT,
  lambdaBundleKey,
  withLambdaBundleCache,
} from './lambda-bundle-cache.js';

const CDK_JSON = fileURLToPath(new URL('../cdk.json', import.meta.url));

export interface SynthOptions extends CreateAppOptions {
  outdir: string;
  /** The app to synthesize, as its manifest describes it. */
  app: AppModel;
  /** Bundle the Lambda functions (esbuild); off for tests that only read templates. */
  bundle?: boolean;
  /** Keep the Lambda bundles here between synths, keyed by their inputs (default: $STEPSHIP_LAMBDA_BUNDLE_CACHE, else none). */
  lambdaBundleCache?: string;
}

/**
 * Synthesizes an app in-process, exactly as `cdk synth` does with
 * stepship's cdk.json context (its feature flags) — for `stepship synth`, the
 * local cloud and the tests, without the CDK CLI's start-up cost.
 */
export function synthesize(options: SynthOptions): StepshipApp {
  const { context } = JSON.parse(readFileSync(CDK_JSON, 'utf8')) as { context: Record<string, unknown> };
  const cacheDir = options.lambdaBundleCache ?? process.env[LAMBDA_BUNDLE_CACHE_ENV];
  if (options.bundle === false || !cacheDir) return synthesizeWith(options, context);
  const key = lambdaBundleKey();
  return withLambdaBundleCache(cacheDir, key, options.outdir, () =>
    synthesizeWith(options, { ...context, [LAMBDA_BUNDLE_KEY_CONTEXT]: key }),
  );
}

function synthesizeWith(options: SynthOptions, context: Record<string, unknown>): StepshipApp {
  const app = new App({
    outdir: options.outdir,
    context: { ...context, ...(options.bundle === false ? { 'aws:cdk:bundling-stacks': [] } : {}) },
  });
  const built = createApp(app, options.app, options);
  app.synth();
  return built;
}
