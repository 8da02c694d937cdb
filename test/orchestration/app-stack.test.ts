import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { AppModel } from '../../manifest/model.js';
import { AppStack } from '../../orchestration/app-stack.js';
import { appModel, frontendBackend, serviceModel } from './app-models.js';

function synthApp(model: AppModel): { template: Template; outdir: string } {
  const outdir = mkdtempSync(join(tmpdir(), 'stepship-appstack-'));
  const app = new App({ outdir });
  const stack = new AppStack(app, `Stepship-${model.name}-App`, {
    app: model,
    env: { region: model.region },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
  return { template: Template.fromStack(stack), outdir };
}

describe('the app stack from the manifest: a frontend and an /api backend on one load balancer', () => {
  let t: Template;
  let outdir: string;
  beforeAll(() => {
    ({ template: t, outdir } = synthApp(frontendBackend()));
  });

  it('gives each service its own repository, target group, Fargate service, log group and roles', () => {
    t.resourceCountIs('AWS::ECR::Repository', 2);
    t.hasResourceProperties('AWS::ECR::Repository', { RepositoryName: 'shop/api' });
    t.hasResourceProperties('AWS::ECR::Repository', { RepositoryName: 'shop/frontend' });
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 2);
    t.resourceCountIs('AWS::ECS::Service', 2);
    t.resourceCountIs('AWS::ECS::TaskDefinition', 2);
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    t.resourceCountIs('AWS::ECS::Cluster', 1);
  });

  it('routes /api/* to the backend by a listener rule and everything else to the default frontend', () => {
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: 10,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }],
      Actions: [Match.objectLike({ Type: 'forward' })],
    });
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 1);
    const listener = Object.values(t.findResources('AWS::ElasticLoadBalancingV2::Listener'))[0];
    expect(listener?.Properties.DefaultActions).toEqual([
      { Type: 'forward', TargetGroupArn: { Ref: expect.stringMatching(/^FrontendTargetGroup/) } },
    ]);
  });

  it('health-checks the backend on its own path and port', () => {
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 8080,
      HealthCheckPath: '/api/health',
      TargetType: 'ip',
    });
  });

  it('grants the backend read and write on its table, and the frontend nothing', () => {
    const policies = Object.values(t.findResources('AWS::IAM::Policy'));
    const apiTaskPolicy = policies.find((p) => JSON.stringify(p.Properties.Roles).includes('ApiTaskRole'));
    const actions = JSON.stringify(apiTaskPolicy?.Properties.PolicyDocument.Statement);
    expect(actions).toContain('dynamodb:PutItem');
    expect(actions).toContain('dynamodb:GetItem');
    expect(actions).not.toContain('dynamodb:DeleteTable');
    expect(policies.some((p) => JSON.stringify(p.Properties.Roles).includes('FrontendTaskRole'))).toBe(false);
    t.hasResourceProperties('AWS::DynamoDB::Table', { TableName: 'shop-items' });
  });

  it('passes secrets as ECS secrets from SSM, never as environment', () => {
    t.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          Name: 'api',
          Secrets: [Match.objectLike({ Name: 'API_TOKEN' })],
          Environment: Match.not(Match.arrayWith([Match.objectLike({ Name: 'API_TOKEN' })])),
        }),
      ],
    });
  });

  it('keeps the root filesystem read-only with a writable /tmp volume', () => {
    t.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Volumes: [{ Name: 'tmp' }],
      ContainerDefinitions: [
        Match.objectLike({
          ReadonlyRootFilesystem: true,
          MountPoints: [{ ContainerPath: '/tmp', SourceVolume: 'tmp', ReadOnly: false }],
        }),
      ],
    });
  });

  it('synthesizes cdk-nag clean and cfn-lint clean', () => {
    const templates = readdirSync(outdir).filter((f) => f.endsWith('.template.json'));
    expect(templates.length).toBe(1);
    execFileSync(
      'cfn-lint',
      templates.map((f) => join(outdir, f)),
      { stdio: 'pipe' },
    );
  });
});

describe('the app stack for a single default service', () => {
  it('answers AWS-style 404 when no service is the default', () => {
    const { template } = synthApp(
      appModel({
        services: [serviceModel('api', { routing: { isDefault: false, paths: ['/api/*'], priority: 1 } })],
      }),
    );
    const listener = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::Listener'))[0];
    expect(listener?.Properties.DefaultActions).toEqual([
      {
        Type: 'fixed-response',
        FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain', MessageBody: 'Not Found' },
      },
    ]);
  });
});
