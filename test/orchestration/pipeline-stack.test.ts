import { describe, expect, it } from '@jest/globals';
import { Match } from 'aws-cdk-lib/assertions';
import { synth } from './synth.js';

const { pipelineTemplate: t, serviceTemplate } = synth();

describe('the pipeline stack', () => {
  it('builds with a privileged CodeBuild project running the buildspec, with repository and platform variables', () => {
    t.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: Match.objectLike({
        PrivilegedMode: true,
        EnvironmentVariables: Match.arrayWith([
          Match.objectLike({ Name: 'REPOSITORY_URI' }),
          { Name: 'PLATFORMS', Type: 'PLAINTEXT', Value: 'linux/amd64,linux/arm64' },
        ]),
      }),
      Source: Match.objectLike({ Type: 'S3', BuildSpec: Match.stringLikeRegexp('docker buildx build') }),
      LogsConfig: { CloudWatchLogs: Match.objectLike({ Status: 'ENABLED' }) },
    });
  });

  it('lets the build push to the service repository only', () => {
    const buildPolicy = Object.values(t.findResources('AWS::IAM::Policy')).find((p) =>
      JSON.stringify(p.Properties.Roles).includes('BuildRole'),
    );
    const pushes = (
      (buildPolicy?.Properties.PolicyDocument.Statement ?? []) as { Action: string[]; Resource: unknown }[]
    ).filter((s) => [s.Action].flat().includes('ecr:PutImage'));
    expect(pushes).toHaveLength(1);
    expect(JSON.stringify(pushes[0]?.Resource)).toContain('ExportsOutputFnGetAttRepository');
  });

  it('keeps build sources in an encrypted, TLS-only, private bucket that expires them', () => {
    t.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: Match.objectLike({}),
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ Prefix: 'sources/', ExpirationInDays: 30 })]),
      },
    });
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('runs every step on Node 24, ARM64, with its own log group that has a retention period', () => {
    const functions = Object.values(t.findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(13);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        LoggingConfig: { LogGroup: { Ref: expect.stringMatching(/Logs/) } },
      });
    }
    const groups = Object.values(t.findResources('AWS::Logs::LogGroup'));
    expect(groups.every((g) => typeof g.Properties.RetentionInDays === 'number')).toBe(true);
  });

  it('keeps deployment records and locks in a table with a per-service history index', () => {
    t.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'stepship-web-deployments',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: 'by-service',
          KeySchema: [
            { AttributeName: 'service', KeyType: 'HASH' },
            { AttributeName: 'startedAt', KeyType: 'RANGE' },
          ],
        }),
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('bounds the CodeBuild task by a timeout of its own', () => {
    const machine = Object.values(t.findResources('AWS::StepFunctions::StateMachine'))[0];
    expect(JSON.stringify(machine?.Properties.DefinitionString)).toContain('\\"TimeoutSeconds\\":2400');
  });

  it('runs a Standard state machine, logged at level ALL and traced with X-Ray', () => {
    t.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'stepship-web-deploy',
      StateMachineType: 'STANDARD',
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
      TracingConfiguration: { Enabled: true },
    });
  });

  it('starts a deployment on successful ECR pushes to the service repository, ignoring its own build tags', () => {
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ecr'],
        'detail-type': ['ECR Image Action'],
        detail: {
          'action-type': ['PUSH'],
          result: ['SUCCESS'],
          'repository-name': [Match.anyValue()],
          'image-tag': [{ 'anything-but': { prefix: 'stepship-' } }],
        },
      },
      Targets: [
        Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('StartDeployment'), 'Arn'] } }),
      ],
    });
  });

  it('serves POST /deployments and GET /deployments/{id}, every route IAM-authorised', () => {
    const routes = Object.values(t.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties);
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(['GET /deployments/{id}', 'POST /deployments']);
    expect(routes.every((r) => r.AuthorizationType === 'AWS_IAM')).toBe(true);
    t.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      AccessLogSettings: Match.objectLike({ Format: Match.anyValue() }),
    });
  });

  it('outputs the API URL and state machine ARN (the service stack outputs the rest)', () => {
    t.hasOutput('ApiUrl', {});
    t.hasOutput('StateMachineArn', {});
    serviceTemplate.hasOutput('LoadBalancerUrl', {});
  });
});

describe('IAM across both stacks', () => {
  const statements = [t, serviceTemplate].flatMap((template) =>
    Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (p) =>
        p.Properties.PolicyDocument.Statement as {
          Action: string | string[];
          Resource: unknown;
          Condition?: unknown;
        }[],
    ),
  );

  it('never allows "*" or "service:*" actions', () => {
    expect(statements.length).toBeGreaterThan(20);
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions.filter((a) => a === '*' || /^[a-z0-9-]+:\*$/.test(a))).toEqual([]);
  });

  it('passes roles only to ECS tasks, and only the service task and execution roles', () => {
    const passRole = statements.filter((s) => [s.Action].flat().includes('iam:PassRole'));
    expect(passRole.length).toBeGreaterThan(0);
    for (const s of passRole) {
      expect(s.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
      const resources = JSON.stringify(s.Resource);
      expect(resources).toMatch(/WebTaskRole/);
      expect(resources).toMatch(/WebExecutionRole/);
      expect([s.Resource].flat()).toHaveLength(2);
    }
  });
});
