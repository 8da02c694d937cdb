import { Annotations, App, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { VerifyModel } from '../manifest/model.js';
import { ConfigError, loadConfig, type StepshipConfig, slowSettingWarnings } from './config.js';
import type { PipelineTarget } from './constructs/pipeline-target.js';
import { PipelineStack } from './pipeline-stack.js';
import { ServiceStack } from './service-stack.js';

export interface StepshipApp {
  app: App;
  service: ServiceStack;
  pipeline: PipelineStack;
}

/**
 * What verifying the demo service means, declared as any app declares it:
 * the page, the DynamoDB route listing the app's table (the task role
 * works), and `/status` naming the task and its image.
 */
export const DEMO_VERIFY: VerifyModel = {
  checks: [
    { path: '/', status: 200, json: {} },
    // biome-ignore lint/suspicious/noTemplateCurlyInString: stepship's table placeholder, resolved by the verify step
    { path: '/db', status: 200, json: { db: 'connected', tables: { contains: '${table:app}' } } },
  ],
  identity: { path: '/status', field: 'taskIP', kind: 'ip', imageField: 'imageDigest' },
};

/** The service stack's one service, as the pipeline deploys it. */
export function demoTargets(service: ServiceStack, config: StepshipConfig): PipelineTarget[] {
  return [
    {
      service: service.web.service,
      serviceName: config.serviceName,
      cluster: service.cluster,
      clusterName: service.clusterName,
      containerName: config.containerName,
      containerPort: config.containerPort,
      repository: service.repository,
      targetGroup: service.web.targetGroup,
      loadBalancerUrl: service.loadBalancerUrl,
      taskRole: service.web.taskRole,
      executionRole: service.web.executionRole,
      tables: { app: service.appTable },
      verify: DEMO_VERIFY,
      network: { vpc: service.vpc, subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } },
    },
  ];
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
    appName: config.serviceName,
    targets: demoTargets(service, config),
    settings: {
      rolloutTimeoutSeconds: config.rolloutTimeoutSeconds,
      rolloutPollSeconds: config.rolloutPollSeconds,
      buildPlatforms: config.buildPlatforms,
      logRetentionDays: config.logRetentionDays,
    },
    description: `stepship: the deployment pipeline of ${config.serviceName}`,
  });
  for (const warning of slowSettingWarnings(config))
    Annotations.of(service).addWarningV2('stepship:slow-setting', warning);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, service, pipeline };
}

// Entry point for `cdk synth` / `cdk deploy` (see cdk.json); import.meta.main holds for any path, even one URLs must encode.
if (import.meta.main) {
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
