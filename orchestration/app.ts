import { resolve } from 'node:path';
import { Annotations, App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadManifest, ManifestError } from '../manifest/index.js';
import type { AppModel } from '../manifest/model.js';
import { AppStack } from './app-stack.js';
import { pipelineTargets } from './constructs/app-targets.js';
import { PipelineStack } from './pipeline-stack.js';
import { slowSettingWarnings } from './slow-settings.js';
import { stackNames } from './stack-names.js';

export interface StepshipApp {
  app: App;
  model: AppModel;
  /** What stepship deploys to: the app's network, load balancer and services. */
  appStack: AppStack;
  /** What it deploys with: the state machine, its functions, the records. */
  pipeline: PipelineStack;
}

export interface CreateAppOptions {
  /**
   * Seconds a rollout wait may hear nothing from ECS before it checks by API
   * (the wait's HeartbeatSeconds; tests shorten it). ECS's events end a wait;
   * this only bounds how late a lost event makes it.
   */
  rolloutHeartbeatSeconds?: number;
}

export { stackNames } from './stack-names.js';

/** A lost completion event makes a deployment at most this late; ECS is rarely quiet this long mid-rollout. */
const DEFAULT_ROLLOUT_HEARTBEAT_SECONDS = 60;

/**
 * The CDK app for one stepship app: the app stack (from its manifest) and the
 * pipeline stack that deploys each of its services, checked by cdk-nag's
 * AwsSolutions rules on every synth. Env-agnostic for the account and free
 * of context lookups, so it synthesizes offline without credentials.
 */
export function createApp(app: App, model: AppModel, options: CreateAppOptions = {}): StepshipApp {
  const env = { region: model.region, account: process.env.CDK_DEFAULT_ACCOUNT };
  const names = stackNames(model.name);
  const appStack = new AppStack(app, names.app, {
    env,
    app: model,
    description: `stepship: the ${model.name} app on ECS Fargate (${model.services.map((s) => s.name).join(', ')})`,
  });
  const pipeline = new PipelineStack(app, names.pipeline, {
    env,
    appName: model.name,
    targets: pipelineTargets(appStack),
    settings: {
      rolloutTimeoutSeconds: model.deployment.rolloutTimeoutSeconds,
      rolloutHeartbeatSeconds: options.rolloutHeartbeatSeconds ?? DEFAULT_ROLLOUT_HEARTBEAT_SECONDS,
      buildPlatforms: model.deployment.buildPlatforms.join(','),
      logRetentionDays: model.logRetentionDays,
      ...(model.deployment.notifications ? { notifications: model.deployment.notifications } : {}),
    },
    description: `stepship: the deployment pipeline of ${model.name}`,
  });
  for (const warning of slowSettingWarnings(model))
    Annotations.of(appStack).addWarningV2('stepship:slow-setting', warning);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, model, appStack, pipeline };
}

/**
 * Entry point for `cdk synth` / `cdk deploy` (see cdk.json): the app whose
 * stepship.yml is in the folder named by STEPSHIP_APP, or the context value
 * `stepship:app` (this repository's own demo, `service/`).
 */
if (import.meta.main) {
  const app = new App();
  const dir = process.env.STEPSHIP_APP ?? String(app.node.tryGetContext('stepship:app') ?? '.');
  try {
    createApp(app, loadManifest(resolve(dir)));
    app.synth();
  } catch (err) {
    if (err instanceof ManifestError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
