import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AppStack } from '../../orchestration/app-stack.js';
import { pipelineTargets } from '../../orchestration/constructs/app-targets.js';
import type { PipelineTarget } from '../../orchestration/constructs/pipeline-target.js';
import { PipelineStack } from '../../orchestration/pipeline-stack.js';
import { demoApp } from '../helpers/local-deployment.js';
import { type StateMachineDefinition, synthesizedDefinition, TEST_REGION } from './asl.js';

/**
 * The state machine of an app with two services: the demo, and `hello`, a
 * Node app that answers only `/` and `/healthz` and declares just that — no
 * identity route, no tables. (It reuses the demo's constructs: the workflow
 * test's stand-in for AWS doesn't tell services apart by them.)
 */
export function twoServiceDefinition(): StateMachineDefinition {
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'stepship-two-services-')),
    context: { 'aws:cdk:bundling-stacks': [] },
  });
  const env = { region: TEST_REGION };
  const service = new AppStack(app, 'Stepship-web-App', { env, app: { ...demoApp(), region: TEST_REGION } });
  const [web] = pipelineTargets(service);
  if (!web) throw new Error('the demo has one target');
  const hello: PipelineTarget = {
    ...web,
    serviceName: 'hello',
    tables: {},
    verify: { checks: [{ path: '/healthz', status: 200, json: { ok: true } }] },
  };
  const pipeline = new PipelineStack(app, 'Stepship-demo-Pipeline', {
    env,
    appName: 'demo',
    targets: [web, hello],
    settings: {
      rolloutTimeoutSeconds: 600,
      rolloutHeartbeatSeconds: 5,
      buildPlatforms: 'linux/amd64',
      logRetentionDays: 7,
    },
  });
  return synthesizedDefinition(Template.fromStack(pipeline), Template.fromStack(service));
}
