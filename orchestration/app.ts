import { Annotations, App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError, loadConfig, slowSettingWarnings } from './config.js';
import { PipelineStack } from './pipeline-stack.js';
import { ServiceStack } from './service-stack.js';

export interface StepshipApp {
  app: App;
  service: ServiceStack;
  pipeline: PipelineStack;
}

/**
 * The CDK app: the service stack (what stepship deploys to) and the pipeline
 * stack (what it deploys with), checked by cdk-nag's AwsSolutions rules on
 * every synth. Env-agnostic for the account and free of context lookups, so
 * `cdk synth` works offline without credentials.
 */
export function createApp(app = new App(), env: NodeJS.ProcessEnv = process.env): StepshipApp {
  const config = loadConfig((app.node.tryGetContext('stepship') ?? {}) as Record<string, unknown>, env);
  const stackEnv = { region: config.region, account: env.CDK_DEFAULT_ACCOUNT };
  const prefix = `Stepship-${config.serviceName}`;
  const service = new ServiceStack(app, `${prefix}-Service`, {
    env: stackEnv,
    config,
    description: `stepship: the ${config.serviceName} service on ECS Fargate`,
  });
  const pipeline = new PipelineStack(app, `${prefix}-Pipeline`, {
    env: stackEnv,
    config,
    target: service,
    description: `stepship: the deployment pipeline of ${config.serviceName}`,
  });
  for (const warning of slowSettingWarnings(config))
    Annotations.of(service).addWarningV2('stepship:slow-setting', warning);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, service, pipeline };
}

// Entry point for `cdk synth` / `cdk deploy` (see cdk.json).
if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    createApp().app.synth();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
