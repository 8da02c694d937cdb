import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { matches, parsePattern } from '../../local/services/events/pattern.js';
import { pipelineTargets } from '../../orchestration/constructs/app-targets.js';
import { targetProblems } from '../../orchestration/constructs/pipeline-target.js';
import { demoApp } from '../helpers/local-deployment.js';
import { synthesizedDefinition } from '../workflow/asl.js';
import { synth } from './synth.js';

const built = synth();
const { pipelineTemplate: t, appTemplate } = built;

describe('the pipeline stack', () => {
  it('builds with a privileged CodeBuild project running the buildspec, for every service of the app', () => {
    t.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: Match.objectLike({
        PrivilegedMode: true,
        // The repository comes with each build, from the deployed service's target.
        EnvironmentVariables: [{ Name: 'PLATFORMS', Type: 'PLAINTEXT', Value: 'linux/amd64,linux/arm64' }],
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
    expect(JSON.stringify(pushes[0]?.Resource)).toMatch(/ExportsOutputFnGetAtt\w*Repository/);
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
    expect(functions).toHaveLength(15);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        LoggingConfig: { LogGroup: { Ref: expect.stringMatching(/Logs/) } },
        TracingConfig: { Mode: 'Active' },
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

  it("records every end of this state machine's executions, and starts the next waiting deployment", () => {
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: {
          stateMachineArn: [{ Ref: Match.stringLikeRegexp('WorkflowStateMachine') }],
          status: ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'],
        },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('RecordOutcome'), 'Arn'] },
          RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 4 }),
        }),
      ],
    });
  });

  it("sends the app's chosen deployment events to the configured topic, and has no such rule unless asked", () => {
    const topic = 'arn:aws:sns:us-east-1:123456789012:deployments';
    const notified = Template.fromStack(
      synth({
        app: {
          ...demoApp(),
          deployment: {
            ...demoApp().deployment,
            notifications: { snsTopicArn: topic, on: ['failed', 'rolled-back'] },
          },
        },
      }).pipeline,
    );
    notified.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['stepship'],
        'detail-type': ['Stepship Deployment Failed', 'Stepship Deployment Rolled Back'],
        // This app's executions only: other stepship apps in the account emit the same names.
        detail: {
          executionArn: [
            {
              prefix: {
                'Fn::Join': [
                  '',
                  Match.arrayWith([Match.stringLikeRegexp(':execution:stepship-web-deploy:$')]),
                ],
              },
            },
          ],
        },
      },
      Targets: [Match.objectLike({ Arn: topic, RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 4 }) })],
    });
    expect(JSON.stringify(t.findResources('AWS::Events::Rule'))).not.toContain('"source":["stepship"]');
  });

  it('starts a deployment on a "Stepship Deployment Request" event on the default bus, from any source', () => {
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'detail-type': ['Stepship Deployment Request'] },
      Targets: [
        Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('StartDeployment'), 'Arn'] } }),
      ],
    });
    const rules = Object.values(t.findResources('AWS::Events::Rule'));
    // The account's default bus, named or not: where `aws events put-events` goes.
    expect(rules.map((r) => r.Properties.EventBusName ?? 'default')).toEqual(rules.map(() => 'default'));
  });

  it('bounds every execution with a timeout well above a build, a rollout and a rollback', () => {
    const { TimeoutSeconds } = synthesizedDefinition(t, appTemplate);
    // The demo's rollout timeout is 900 s: a 40-minute build, then a rollout and a rollback's.
    expect(TimeoutSeconds).toBeGreaterThanOrEqual(2400 + 2 * 900);
  });

  it('lets the functions that record outcomes emit events only with source "stepship", on the default bus', () => {
    const policies = Object.entries(t.findResources('AWS::IAM::Policy'));
    const emitting = policies.filter(([, p]) =>
      (p.Properties.PolicyDocument.Statement as { Action: unknown }[]).some((s) =>
        [s.Action].flat().includes('events:PutEvents'),
      ),
    );
    expect(emitting.map(([id]) => id.replace(/RoleDefaultPolicy.*$/, '')).sort()).toEqual([
      'StepsFinalize',
      'StepsPrepare',
      'StepsRecordFailure',
      'StepsRecordOutcome',
      'StepsStartDeployment',
    ]);
    for (const [, p] of emitting) {
      const statement = (
        p.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown; Condition: unknown }[]
      ).find((s) => [s.Action].flat().includes('events:PutEvents'));
      expect(statement?.Condition).toEqual({ StringEquals: { 'events:source': 'stepship' } });
      expect(JSON.stringify(statement?.Resource)).toContain(':event-bus/default');
    }
  });

  it('lets the steps that end a deployment start the next one, on this state machine only', () => {
    for (const step of ['Finalize', 'RecordFailure', 'RecordOutcome', 'StartDeployment']) {
      const [, policy] =
        Object.entries(t.findResources('AWS::IAM::Policy')).find(([id]) =>
          id.startsWith(`Steps${step}Role`),
        ) ?? [];
      const starts = (
        (policy?.Properties.PolicyDocument.Statement ?? []) as { Action: unknown; Resource: unknown }[]
      ).find((s) => [s.Action].flat().includes('states:StartExecution'));
      expect(JSON.stringify(starts?.Resource)).toContain(':stateMachine:stepship-web-deploy');
    }
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
    appTemplate.hasOutput('LoadBalancerUrl', {});
  });
});

describe('the rollout wait', () => {
  const [machine] = Object.values(t.findResources('AWS::StepFunctions::StateMachine'));
  if (!machine) throw new Error('no state machine in the pipeline template');
  const parts = (machine.Properties.DefinitionString as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  // The tokens (function ARNs, the partition) stand in as their logical ids.
  const text = parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p).replace(/"/g, "'"))).join('');
  const states = (JSON.parse(text) as { States: Record<string, Record<string, unknown>> }).States;

  it.each([
    ['AwaitRollout', '$.rollout', 'CheckRollout', 'Rollback', 'VerifyTargets'],
    [
      'AwaitRollbackRollout',
      '$.rollback.rollout',
      'CheckRollbackRollout',
      'RecordRollbackFailed',
      'RecordRolledBack',
    ],
  ])(
    '%s waits for a task token, falls back to one check on silence, and fails on any other error',
    (name, path, check, onError, next) => {
      expect(states[name]).toMatchObject({
        Type: 'Task',
        Resource: expect.stringMatching(/:states:::lambda:invoke\.waitForTaskToken$/),
        Parameters: {
          FunctionName: expect.stringContaining('StepsAwaitRolloutFunction'),
          Payload: { 'taskToken.$': '$$.Task.Token', 'deployment.$': '$.deployment', 'rollout.$': path },
        },
        HeartbeatSeconds: 60,
        TimeoutSeconds: 900,
        ResultPath: path,
        Next: next,
        Catch: [
          { ErrorEquals: ['States.HeartbeatTimeout', 'States.Timeout'], ResultPath: null, Next: check },
          { ErrorEquals: ['States.ALL'], Next: onError },
        ],
      });
    },
  );

  it('has no Wait state: nothing sleeps on a schedule, so transitions do not grow with the rollout', () => {
    expect(Object.values(states).filter((s) => s.Type === 'Wait')).toEqual([]);
    expect(states.UpdateService?.Next).toBe('AwaitRollout');
    expect(states['RolloutDone?']).toMatchObject({
      Choices: [{ Variable: '$.rollout.state', StringEquals: 'COMPLETED', Next: 'VerifyTargets' }],
      Default: 'AwaitRollout',
    });
  });

  const rules = Object.values(t.findResources('AWS::Events::Rule')).map((r) => r.Properties);
  const toRolloutEvents = [
    Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('RolloutEvents'), 'Arn'] } }),
  ];

  it("sends the app's services' ECS deployment state changes to rollout-events", () => {
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ecs'],
        'detail-type': ['ECS Deployment State Change'],
        resources: [{ 'Fn::ImportValue': Match.stringLikeRegexp('WebService') }],
      },
      Targets: toRolloutEvents,
    });
  });

  const taskRule = () =>
    rules.find((r) => JSON.stringify(r.EventPattern).includes('ECS Task State Change'))?.EventPattern;

  it("sends their tasks' changes that a wait needs, and nothing else of ECS", () => {
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ecs'],
        'detail-type': ['ECS Task State Change'],
        detail: {
          clusterArn: [Match.anyValue()],
          group: ['service:web'],
          $or: [
            { lastStatus: ['RUNNING'], desiredStatus: ['RUNNING'] },
            {
              lastStatus: ['STOPPED'],
              stoppedReason: [{ 'anything-but': { prefix: 'Scaling activity initiated by' } }],
            },
          ],
        },
      },
      Targets: toRolloutEvents,
    });
    expect(rules.filter((r) => JSON.stringify(r.EventPattern).includes('aws.ecs'))).toHaveLength(2);
  });

  const CLUSTER = 'arn:aws:ecs:us-east-1:000000000000:cluster/demo';
  /** An ECS Task State Change of the web service, as ECS sends it (the fields the rule reads). */
  const taskChange = (detail: Record<string, unknown>) => ({
    source: 'aws.ecs',
    'detail-type': 'ECS Task State Change',
    detail: { clusterArn: CLUSTER, group: 'service:web', ...detail },
  });
  const scaledIn = 'Scaling activity initiated by (deployment ecs-svc/4401811474932466121)';

  it.each([
    ['a new task RUNNING (a heartbeat)', { lastStatus: 'RUNNING', desiredStatus: 'RUNNING' }, true],
    [
      'a task whose essential container exited',
      {
        lastStatus: 'STOPPED',
        desiredStatus: 'STOPPED',
        stoppedReason: 'Essential container in task exited',
      },
      true,
    ],
    [
      'a task that failed its ELB health checks',
      {
        lastStatus: 'STOPPED',
        desiredStatus: 'STOPPED',
        stoppedReason: 'Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:…)',
      },
      true,
    ],
    [
      'an old task the deployment scales in, still RUNNING',
      { lastStatus: 'RUNNING', desiredStatus: 'STOPPED', stoppedReason: scaledIn },
      false,
    ],
    [
      'an old task the deployment scaled in, STOPPED',
      { lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stoppedReason: scaledIn },
      false,
    ],
    ['a task PENDING', { lastStatus: 'PENDING', desiredStatus: 'RUNNING' }, false],
    [
      'a task DEACTIVATING',
      {
        lastStatus: 'DEACTIVATING',
        desiredStatus: 'STOPPED',
        stoppedReason: 'Task failed ELB health checks',
      },
      false,
    ],
  ])('as the local EventBridge matches its pattern, is sent or not: %s', (_what, detail, sent) => {
    const rule = taskRule() as { detail: Record<string, unknown> };
    // The template's cluster ARN is a reference until deployed: put in the one the event names.
    const pattern = parsePattern(
      JSON.stringify({ ...rule, detail: { ...rule.detail, clusterArn: [CLUSTER] } }),
    );
    expect(matches(pattern, taskChange(detail))).toBe(sent);
  });

  const policyOf = (role: string) =>
    Object.values(t.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(role))
      .flatMap(
        (p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
      );
  const actions = (role: string) => policyOf(role).flatMap((s) => [s.Action].flat());

  it.each([
    [
      'StepsAwaitRolloutRole',
      ['states:SendTaskFailure', 'states:SendTaskSuccess'],
      ['dynamodb:DeleteItem', 'dynamodb:PutItem'],
    ],
    [
      'StepsRolloutEventsRole',
      ['states:SendTaskFailure', 'states:SendTaskHeartbeat', 'states:SendTaskSuccess'],
      ['dynamodb:DeleteItem', 'dynamodb:Query'],
    ],
  ])(
    'lets %s answer task tokens and keep them in the records table, nothing more',
    (role, callbacks, table) => {
      expect(
        actions(role)
          .filter((a) => a.startsWith('states:'))
          .sort(),
      ).toEqual(callbacks);
      expect(
        actions(role)
          .filter((a) => a.startsWith('dynamodb:'))
          .sort(),
      ).toEqual(table);
      const onTable = policyOf(role).filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')));
      expect(onTable.map((s) => s.Resource)).toEqual([
        { 'Fn::GetAtt': [expect.stringMatching(/^RecordsTable/), 'Arn'] },
      ]);
      expect(actions(role)).toEqual(
        expect.arrayContaining(['ecs:DescribeServices', 'ecs:ListTasks', 'ecs:DescribeTasks']),
      );
    },
  );

  it('grants the task-token callbacks to those two functions only', () => {
    const granted = Object.values(t.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.PolicyDocument).includes('states:SendTask'))
      .map((p) => JSON.stringify(p.Properties.Roles));
    expect(granted).toHaveLength(2);
    expect(granted.join()).toMatch(/StepsAwaitRolloutRole.*StepsRolloutEventsRole/);
  });
});

describe('the targets', () => {
  const definition = () => {
    const machine = Object.values(t.findResources('AWS::StepFunctions::StateMachine'))[0];
    return JSON.stringify(machine?.Properties.DefinitionString);
  };

  it("travel in the definition to Prepare, with the demo's declared checks", () => {
    expect(definition()).toContain(
      '\\"targets\\":{\\"web\\":{\\"service\\":\\"web\\",\\"cluster\\":\\"stepship-web\\"',
    );
    expect(definition()).toContain(
      '\\"identity\\":{\\"path\\":\\"/status\\",\\"field\\":\\"taskIP\\",\\"kind\\":\\"ip\\",\\"imageField\\":\\"imageDigest\\"}',
    );
    expect(definition()).not.toMatch(/VerifyEndpoint|VerifyDynamoDB/);
  });

  it('are known to start-deployment as service → repository', () => {
    const start = Object.entries(t.findResources('AWS::Lambda::Function')).find(([id]) =>
      id.includes('StartDeployment'),
    );
    expect(JSON.stringify(start?.[1].Properties.Environment.Variables.SERVICE_REPOSITORIES)).toContain(
      '{\\"web\\":\\"',
    );
  });

  it('are reached by the verify step from inside their VPC, which their tasks admit on their port', () => {
    const verify = Object.entries(t.findResources('AWS::Lambda::Function')).find(([id]) =>
      id.includes('VerifyChecks'),
    );
    expect(verify?.[1].Properties.VpcConfig).toMatchObject({
      SubnetIds: [
        { 'Fn::ImportValue': expect.stringMatching(/privateSubnet1/) },
        { 'Fn::ImportValue': expect.stringMatching(/privateSubnet2/) },
      ],
    });
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 3000,
      ToPort: 3000,
      GroupId: { 'Fn::ImportValue': Match.stringLikeRegexp('WebSecurityGroup') },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('VerifySecurityGroup'), 'GroupId'] },
    });
  });

  it('are refused when a check names a table the service cannot reach, or a service comes twice', () => {
    const [web] = pipelineTargets(built.appStack);
    if (!web) throw new Error('the demo has a target');
    expect(targetProblems([{ ...web, tables: {} }])).toEqual([
      "web's checks refer to ${table:app}, which is not one of its tables",
    ]);
    expect(targetProblems([web, web])).toEqual(['Service web is listed more than once']);
    expect(targetProblems([])).toEqual(['The pipeline needs at least one target service']);
  });
});

describe('IAM across both stacks', () => {
  const statements = [t, appTemplate].flatMap((template) =>
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

const cfnLint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
(cfnLint.status === 0 ? describe : describe.skip)(
  `the synthesized templates${cfnLint.status === 0 ? '' : ' (skipped: cfn-lint is not installed)'}`,
  () => {
    it('pass cfn-lint with no error or warning', () => {
      const templates = ['Stepship-web-App', 'Stepship-web-Pipeline'].map((stack) =>
        join(built.outdir, `${stack}.template.json`),
      );
      const result = spawnSync('cfn-lint', templates, { encoding: 'utf8' });
      expect(result.stdout + result.stderr).toBe('');
      expect(result.status).toBe(0);
    }, 60_000);
  },
);
