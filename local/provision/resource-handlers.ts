import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CreateTableCommand, type DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { arns, lastSegment } from '../core/arns.js';
import type { Scope } from '../core/scope.js';
import type { Iam } from '../iam/provider.js';
import type { Acm } from '../services/acm/provider.js';
import type { ApiGatewayV2 } from '../services/apigatewayv2/provider.js';
import type { ApplicationAutoScaling } from '../services/application-autoscaling/provider.js';
import type { CodeBuild } from '../services/codebuild/provider.js';
import type { Ecr } from '../services/ecr/provider.js';
import type { Ecs } from '../services/ecs/provider.js';
import { checkTargetGroup } from '../services/elbv2/checks.js';
import type { Elbv2 } from '../services/elbv2/provider.js';
import type { Events } from '../services/events/provider.js';
import type { Lambda } from '../services/lambda/provider.js';
import type { Logs } from '../services/logs/provider.js';
import type { S3 } from '../services/s3/provider.js';
import type { StepFunctions } from '../services/sfn/provider.js';
import { EC2_CAPACITY_HANDLERS } from './ec2-capacity-handlers.js';

export interface ProvisionContext {
  region: string;
  accountId: string;
  /** The account and region everything is created in. */
  scope: Scope;
  stackName: string;
  logicalId: string;
  /** Where the assembly's assets are (cdk.out). */
  assemblyDir: string;
  endpointUrl: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** The local CA's certificate (PEM file): functions trust it, as tasks do, to reach local HTTPS listeners. */
  caCertPath?: string;
  services: {
    acm: Acm;
    autoscaling: ApplicationAutoScaling;
    ecr: Ecr;
    ecs: Ecs;
    elbv2: Elbv2;
    dynamodb: DynamoDBClient;
    codebuild: CodeBuild;
    lambda: Lambda;
    sfn: StepFunctions;
    events: Events;
    s3: S3;
    logs: Logs;
    iam: Iam;
    apigatewayv2: ApiGatewayV2;
  };
}

export interface Provisioned {
  ref: string;
  attributes?: Record<string, string>;
}

export type ResourceHandler = (
  props: Record<string, unknown>,
  ctx: ProvisionContext,
) => Promise<Provisioned> | Provisioned;

/** CloudFormation's generated physical names: stack, logical id and a suffix. */
export function physicalName(ctx: ProvisionContext, max = 64, lower = false): string {
  const suffix = Buffer.from(`${ctx.stackName}/${ctx.logicalId}`).toString('hex').slice(-12).toUpperCase();
  const name = `${ctx.stackName}-${ctx.logicalId}`.slice(0, max - suffix.length - 1);
  const full = `${name}-${suffix}`;
  return lower ? full.toLowerCase() : full;
}

/** PascalCase CloudFormation properties to the API's camelCase, leaving free-form maps as they are. */
export function camel(value: unknown, parentKey = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => camel(v, parentKey));
  if (!value || typeof value !== 'object') return value;
  if (['Options', 'DockerLabels', 'SecretOptions', 'Labels'].includes(parentKey)) return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [
      k.charAt(0).toLowerCase() + k.slice(1),
      camel(v, k),
    ]),
  );
}

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
/** A template's boolean (CloudFormation takes `true` and `"true"` alike); absent stays absent. */
const bool = (v: unknown): boolean | undefined =>
  v === undefined || v === null ? undefined : v === true || String(v).toLowerCase() === 'true';
/** Only the members that are set, so absent properties stay absent in what the service is given. */
const defined = <T extends Record<string, unknown>>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as T;
const stringMap = (v: unknown): Record<string, string> | undefined =>
  v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, str(x)]))
    : undefined;

/** The local cloud's roles among `names` (role names, or ARNs): a role defined elsewhere is no principal of its own. */
function rolesNamed(names: unknown, ctx: ProvisionContext): string[] {
  return (Array.isArray(names) ? names : [])
    .map((n) => lastSegment(str(n)))
    .filter((n) => ctx.services.iam.findRole(arns.iamRole(ctx.scope, n)) !== undefined);
}

export const HANDLERS: Record<string, ResourceHandler> = {
  ...EC2_CAPACITY_HANDLERS,
  'AWS::ECR::Repository': (p, ctx) => {
    const name = str(p.RepositoryName) || physicalName(ctx, 256, true);
    const encryption = p.EncryptionConfiguration as { EncryptionType?: string; KmsKey?: string } | undefined;
    // Kept from an earlier run of the same state directory, with its images: adopted as it is.
    const kept = ctx.services.ecr.stores.of(ctx.scope).repositories.get(name);
    if (kept) return { ref: name, attributes: { Arn: kept.arn, RepositoryUri: kept.uri } };
    const repo = ctx.services.ecr.createRepository(ctx.scope, {
      repositoryName: name,
      imageScanningConfiguration: {
        scanOnPush:
          (p.ImageScanningConfiguration as { ScanOnPush?: boolean } | undefined)?.ScanOnPush ?? false,
      },
      imageTagMutability: (str(p.ImageTagMutability) || 'MUTABLE') as 'MUTABLE',
      ...(encryption
        ? {
            encryptionConfiguration: {
              encryptionType: (encryption.EncryptionType ?? 'AES256') as 'AES256',
              ...(encryption.KmsKey ? { kmsKey: str(encryption.KmsKey) } : {}),
            },
          }
        : {}),
      tags: ((p.Tags as { Key: string; Value: string }[] | undefined) ?? []).map((t) => ({
        Key: t.Key,
        Value: str(t.Value),
      })),
    });
    return { ref: name, attributes: { Arn: repo.arn, RepositoryUri: repo.uri } };
  },

  'AWS::ECS::Cluster': (p, ctx) => {
    const cluster = ctx.services.ecs.createCluster(ctx.scope, {
      clusterName: str(p.ClusterName) || physicalName(ctx, 255),
      settings: (camel(p.ClusterSettings) as never) ?? [],
      tags: (camel(p.Tags) as never) ?? [],
    });
    return { ref: cluster.clusterName, attributes: { Arn: cluster.clusterArn } };
  },

  'AWS::ECS::TaskDefinition': (p, ctx) => {
    const input = camel(p) as Record<string, unknown>;
    input.family ??= physicalName(ctx, 255);
    const definition = ctx.services.ecs.registerTaskDefinition(ctx.scope, input as never);
    return {
      ref: definition.taskDefinitionArn,
      attributes: { TaskDefinitionArn: definition.taskDefinitionArn },
    };
  },

  'AWS::ECS::Service': (p, ctx) => {
    const input = camel(p) as Record<string, unknown>;
    input.serviceName ??= physicalName(ctx, 255);
    // CloudFormation starts a new service without DesiredCount at 1 (a scalable target then moves it).
    input.desiredCount ??= 1;
    const service = ctx.services.ecs.createService(ctx.scope, input as never);
    return {
      ref: service.serviceArn,
      attributes: { Name: service.serviceName, ServiceArn: service.serviceArn },
    };
  },

  'AWS::ElasticLoadBalancingV2::LoadBalancer': async (p, ctx) => {
    const lb = await ctx.services.elbv2.createLoadBalancer(ctx.scope, {
      Name:
        str(p.Name) ||
        physicalName(ctx, 32)
          .replace(/[^A-Za-z0-9-]/g, '')
          .slice(-32)
          .replace(/^-+|-+$/g, ''),
      Scheme: (str(p.Scheme) || 'internet-facing') as 'internet-facing',
      Subnets: p.Subnets as string[] | undefined,
      SecurityGroups: p.SecurityGroups as string[] | undefined,
      IpAddressType: p.IpAddressType as 'ipv4' | undefined,
    });
    return {
      ref: lb.arn,
      attributes: {
        DNSName: lb.dnsName,
        LoadBalancerName: lb.name,
        LoadBalancerFullName: lb.arn.split(':loadbalancer/')[1] ?? '',
        CanonicalHostedZoneID: 'Z35SXDOTRQ7X7K',
        LoadBalancerArn: lb.arn,
      },
    };
  },

  'AWS::ElasticLoadBalancingV2::TargetGroup': (p, ctx) => {
    const attrs = Object.fromEntries(
      ((p.TargetGroupAttributes as { Key: string; Value: string }[] | undefined) ?? []).map((a) => [
        a.Key,
        a.Value,
      ]),
    );
    const { TargetGroupAttributes: _attributes, Targets: _targets, Tags: _tags, ...properties } = p;
    const entry = ctx.services.elbv2.createTargetGroup(ctx.scope, {
      ...checkTargetGroup({
        ...(properties as Record<string, unknown>),
        Name:
          str(p.Name) ||
          physicalName(ctx, 32)
            .replace(/[^A-Za-z0-9-]/g, '')
            .slice(-32)
            .replace(/^-+|-+$/g, ''),
      }),
      DeregistrationDelaySeconds: Number(attrs['deregistration_delay.timeout_seconds'] ?? 300),
    });
    const group = entry.group;
    return {
      ref: group.arn,
      attributes: {
        TargetGroupFullName: group.arn.split(':').slice(5).join(':'),
        TargetGroupName: group.name,
        TargetGroupArn: group.arn,
        LoadBalancerArns: '',
      },
    };
  },

  'AWS::ElasticLoadBalancingV2::Listener': (p, ctx) => {
    const listener = ctx.services.elbv2.createListener(ctx.scope, {
      LoadBalancerArn: str(p.LoadBalancerArn),
      Port: p.Port === undefined ? undefined : Number(p.Port),
      Protocol: (str(p.Protocol) || 'HTTP') as 'HTTP',
      DefaultActions: (p.DefaultActions as never) ?? [],
      Certificates: p.Certificates as never,
      SslPolicy: p.SslPolicy as string | undefined,
    });
    return { ref: listener.arn, attributes: { ListenerArn: listener.arn } };
  },

  'AWS::ElasticLoadBalancingV2::ListenerRule': (p, ctx) => {
    const rule = ctx.services.elbv2.createRule(ctx.scope, {
      ListenerArn: str(p.ListenerArn),
      Priority: Number(p.Priority),
      Conditions: (p.Conditions as never) ?? [],
      Actions: (p.Actions as never) ?? [],
    });
    return { ref: rule.arn, attributes: { RuleArn: rule.arn, IsDefault: 'false' } };
  },

  // CloudFormation's physical id of a scalable target is resource|dimension|namespace, which policies refer to.
  'AWS::ApplicationAutoScaling::ScalableTarget': (p, ctx) => {
    const target = ctx.services.autoscaling.registerScalableTarget(ctx.scope, {
      ServiceNamespace: str(p.ServiceNamespace) as 'ecs',
      ResourceId: str(p.ResourceId),
      ScalableDimension: str(p.ScalableDimension) as 'ecs:service:DesiredCount',
      MinCapacity: Number(p.MinCapacity),
      MaxCapacity: Number(p.MaxCapacity),
      ...(p.RoleARN ? { RoleARN: str(p.RoleARN) } : {}),
      ...(p.SuspendedState ? { SuspendedState: p.SuspendedState as never } : {}),
    });
    return {
      ref: `${target.ResourceId}|${target.ScalableDimension}|${target.ServiceNamespace}`,
      attributes: { Id: target.ScalableTargetARN },
    };
  },

  'AWS::ApplicationAutoScaling::ScalingPolicy': (p, ctx) => {
    const [resourceId, dimension, namespace] = p.ScalingTargetId
      ? str(p.ScalingTargetId).split('|')
      : [str(p.ResourceId), str(p.ScalableDimension), str(p.ServiceNamespace)];
    const config = p.TargetTrackingScalingPolicyConfiguration as Record<string, unknown> | undefined;
    const policy = ctx.services.autoscaling.putScalingPolicy(ctx.scope, {
      PolicyName: str(p.PolicyName) || physicalName(ctx, 256),
      ServiceNamespace: namespace as 'ecs',
      ResourceId: resourceId,
      ScalableDimension: dimension as 'ecs:service:DesiredCount',
      PolicyType: str(p.PolicyType) as 'TargetTrackingScaling',
      ...(config
        ? {
            TargetTrackingScalingPolicyConfiguration: {
              ...(config as object),
              TargetValue: Number(config.TargetValue),
              ...(config.ScaleInCooldown !== undefined
                ? { ScaleInCooldown: Number(config.ScaleInCooldown) }
                : {}),
              ...(config.ScaleOutCooldown !== undefined
                ? { ScaleOutCooldown: Number(config.ScaleOutCooldown) }
                : {}),
            },
          }
        : {}),
    });
    return { ref: policy.PolicyARN, attributes: { Arn: policy.PolicyARN } };
  },

  // No DNS to validate against: the certificate is issued at once, and served by the local CA.
  'AWS::CertificateManager::Certificate': (p, ctx) => {
    const certificate = ctx.services.acm.requestCertificate(
      ctx.scope,
      str(p.DomainName),
      ((p.SubjectAlternativeNames as unknown[] | undefined) ?? []).map(str),
    );
    return { ref: certificate.arn };
  },

  'AWS::DynamoDB::Table': async (p, ctx) => {
    const name = str(p.TableName) || physicalName(ctx, 255);
    const indexes = p.GlobalSecondaryIndexes as Record<string, unknown>[] | undefined;
    const created = ctx.services.dynamodb.send(
      new CreateTableCommand({
        TableName: name,
        AttributeDefinitions: p.AttributeDefinitions as never,
        KeySchema: p.KeySchema as never,
        BillingMode: (p.BillingMode as 'PAY_PER_REQUEST') ?? 'PROVISIONED',
        ...(p.BillingMode === 'PAY_PER_REQUEST'
          ? {}
          : {
              ProvisionedThroughput: (p.ProvisionedThroughput as never) ?? {
                ReadCapacityUnits: 5,
                WriteCapacityUnits: 5,
              },
            }),
        ...(indexes?.length ? { GlobalSecondaryIndexes: indexes as never } : {}),
      }),
    );
    // A table kept from an earlier run of the same state directory is adopted with its items.
    await created.catch((err: unknown) => {
      if (!(err instanceof ResourceInUseException)) throw err;
    });
    return {
      ref: name,
      attributes: { Arn: arns.dynamodbTable(ctx.scope, name), StreamArn: '' },
    };
  },

  'AWS::S3::Bucket': (p, ctx) => {
    const name = str(p.BucketName) || physicalName(ctx, 63, true);
    ctx.services.s3.createBucket(ctx.scope, name);
    return {
      ref: name,
      attributes: {
        Arn: arns.s3Bucket(name),
        DomainName: `${name}.s3.amazonaws.com`,
        RegionalDomainName: `${name}.s3.${ctx.region}.amazonaws.com`,
      },
    };
  },

  'AWS::Logs::LogGroup': (p, ctx) => {
    const name = str(p.LogGroupName) || physicalName(ctx, 512);
    const retention = p.RetentionInDays === undefined ? undefined : Number(p.RetentionInDays);
    ctx.services.logs.createGroup(ctx.scope, name, retention);
    return { ref: name, attributes: { Arn: arns.logGroup(ctx.scope, name) } };
  },

  // Roles and their policies go to the local IAM: functions and tasks call AWS as their role.
  'AWS::IAM::Role': (p, ctx) => {
    const role = ctx.services.iam.createRole(ctx.scope, {
      roleName: str(p.RoleName) || physicalName(ctx, 64),
      ...(p.Path ? { path: str(p.Path) } : {}),
      policies: ((p.Policies as { PolicyName: string; PolicyDocument: unknown }[] | undefined) ?? []).map(
        (policy) => ({ policyName: str(policy.PolicyName), policyDocument: policy.PolicyDocument }),
      ),
      managedPolicyArns: ((p.ManagedPolicyArns as unknown[] | undefined) ?? []).map(str),
      ...(p.PermissionsBoundary ? { permissionsBoundary: str(p.PermissionsBoundary) } : {}),
      tags: ((p.Tags as { Key: string; Value: unknown }[] | undefined) ?? []).map((t) => ({
        Key: t.Key,
        Value: str(t.Value),
      })),
    });
    return { ref: role.name, attributes: { Arn: role.arn, RoleId: role.roleId } };
  },

  'AWS::IAM::Policy': (p, ctx) => {
    const name = str(p.PolicyName) || physicalName(ctx, 128);
    // Roles defined elsewhere (imported by name) are no principal of the local cloud's.
    for (const role of rolesNamed(p.Roles, ctx))
      ctx.services.iam.putRolePolicy(ctx.scope, role, name, p.PolicyDocument);
    return { ref: physicalName(ctx, 128), attributes: { Id: physicalName(ctx, 128) } };
  },

  'AWS::IAM::RolePolicy': (p, ctx) => {
    const name = str(p.PolicyName) || physicalName(ctx, 128);
    for (const role of rolesNamed([p.RoleName], ctx))
      ctx.services.iam.putRolePolicy(ctx.scope, role, name, p.PolicyDocument);
    return { ref: name };
  },

  'AWS::IAM::ManagedPolicy': (p, ctx) => {
    const policy = ctx.services.iam.createPolicy(ctx.scope, {
      policyName: str(p.ManagedPolicyName) || physicalName(ctx, 128),
      ...(p.Path ? { path: str(p.Path) } : {}),
      policyDocument: p.PolicyDocument,
    });
    for (const role of rolesNamed(p.Roles, ctx))
      ctx.services.iam.attachRolePolicy(ctx.scope, role, policy.arn);
    return {
      ref: policy.arn,
      attributes: { PolicyArn: policy.arn, PolicyId: policy.policyId, DefaultVersionId: 'v1' },
    };
  },

  'AWS::CodeBuild::Project': (p, ctx) => {
    const name = str(p.Name) || physicalName(ctx, 150);
    const source = (p.Source as { Type?: string; Location?: string; BuildSpec?: string } | undefined) ?? {};
    const environment =
      (p.Environment as
        | {
            Type?: string;
            Image?: string;
            ComputeType?: string;
            PrivilegedMode?: boolean;
            EnvironmentVariables?: { Name: string; Value: string; Type?: string }[];
          }
        | undefined) ?? {};
    const logs = (p.LogsConfig as { CloudWatchLogs?: { Status?: string; GroupName?: string } } | undefined)
      ?.CloudWatchLogs;
    const project = ctx.services.codebuild.createProject(ctx.scope, {
      name,
      ...(p.Description !== undefined ? { description: str(p.Description) } : {}),
      source: {
        type: (str(source.Type) || 'S3') as 'S3',
        ...(source.Location !== undefined ? { location: str(source.Location) } : {}),
        ...(source.BuildSpec !== undefined ? { buildspec: str(source.BuildSpec) } : {}),
      },
      artifacts: {
        type: (str((p.Artifacts as { Type?: string } | undefined)?.Type) || 'NO_ARTIFACTS') as 'NO_ARTIFACTS',
      },
      environment: {
        type: (str(environment.Type) || 'LINUX_CONTAINER') as 'LINUX_CONTAINER',
        image: str(environment.Image) || 'aws/codebuild/standard:7.0',
        computeType: (str(environment.ComputeType) || 'BUILD_GENERAL1_SMALL') as 'BUILD_GENERAL1_SMALL',
        privilegedMode: environment.PrivilegedMode === true || String(environment.PrivilegedMode) === 'true',
        environmentVariables: (environment.EnvironmentVariables ?? []).map((v) => ({
          name: v.Name,
          value: str(v.Value),
          type: (v.Type ?? 'PLAINTEXT') as 'PLAINTEXT',
        })),
      },
      serviceRole: str(p.ServiceRole),
      ...(p.TimeoutInMinutes !== undefined ? { timeoutInMinutes: Number(p.TimeoutInMinutes) } : {}),
      ...(p.QueuedTimeoutInMinutes !== undefined
        ? { queuedTimeoutInMinutes: Number(p.QueuedTimeoutInMinutes) }
        : {}),
      ...(p.EncryptionKey !== undefined ? { encryptionKey: str(p.EncryptionKey) } : {}),
      logsConfig: {
        cloudWatchLogs: {
          status: (str(logs?.Status) || 'ENABLED') as 'ENABLED',
          ...(logs?.GroupName ? { groupName: str(logs.GroupName) } : {}),
        },
      },
    });
    return { ref: name, attributes: { Arn: project.arn } };
  },

  'AWS::Lambda::Function': (p, ctx) => {
    const name = str(p.FunctionName) || physicalName(ctx, 64);
    const key = str((p.Code as { S3Key?: string } | undefined)?.S3Key).replace(/\.zip$/, '');
    const dir = join(ctx.assemblyDir, `asset.${key}`);
    const handler = str(p.Handler || 'index.handler');
    const [file = 'index', handlerName = 'handler'] = handler.split('.');
    const bundle = ['mjs', 'js', 'cjs'].map((ext) => join(dir, `${file}.${ext}`)).find((f) => existsSync(f));
    if (!bundle) throw new Error(`No bundle for ${name} in ${dir}: synthesize with bundling (npm run synth)`);
    const variables = Object.fromEntries(
      Object.entries(
        (p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {},
      ).map(([k, v]) => [k, str(v)]),
    );
    const logGroup =
      (p.LoggingConfig as { LogGroup?: string } | undefined)?.LogGroup ?? `/aws/lambda/${name}`;
    // The function calls AWS as its role (a session named after it), as Lambda's runtime does.
    const credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = p.Role
      ? ctx.services.iam.credentialsFor(str(p.Role), name)
      : ctx.credentials;
    const fn = ctx.services.lambda.create(ctx.scope, {
      name,
      bundle,
      handlerName,
      handler,
      timeoutSeconds: Number(p.Timeout ?? 3),
      logGroup,
      variables,
      ...(p.Runtime ? { runtime: str(p.Runtime) } : {}),
      ...(p.Role ? { role: str(p.Role) } : {}),
      ...(p.MemorySize ? { memorySize: Number(p.MemorySize) } : {}),
      ...(p.Description ? { description: str(p.Description) } : {}),
      ...(Array.isArray(p.Architectures) ? { architectures: p.Architectures as never } : {}),
      // The template's environment, plus what the AWS SDK needs to reach the local cloud.
      environment: {
        ...variables,
        AWS_REGION: ctx.region,
        AWS_DEFAULT_REGION: ctx.region,
        AWS_ENDPOINT_URL: ctx.endpointUrl,
        ...(ctx.caCertPath ? { NODE_EXTRA_CA_CERTS: ctx.caCertPath } : {}),
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        ...(credentials.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
      },
    });
    return { ref: name, attributes: { Arn: fn.arn } };
  },

  // Statements of a function's resource-based policy: API Gateway and EventBridge may invoke it only as they allow.
  'AWS::Lambda::Permission': (p, ctx) => {
    const statementId = physicalName(ctx, 100);
    ctx.services.lambda.addPermission(
      ctx.scope,
      defined({
        FunctionName: str(p.FunctionName),
        StatementId: statementId,
        Action: str(p.Action),
        Principal: str(p.Principal),
        SourceArn: p.SourceArn === undefined ? undefined : str(p.SourceArn),
        SourceAccount: p.SourceAccount === undefined ? undefined : str(p.SourceAccount),
        PrincipalOrgID: p.PrincipalOrgID === undefined ? undefined : str(p.PrincipalOrgID),
        EventSourceToken: p.EventSourceToken === undefined ? undefined : str(p.EventSourceToken),
      }),
    );
    return { ref: statementId, attributes: { Id: statementId } };
  },

  'AWS::ApiGatewayV2::Api': (p, ctx) => {
    if (p.Body !== undefined || p.BodyS3Location !== undefined)
      throw new Error(
        'The local cloud does not import OpenAPI definitions (Body, BodyS3Location): define the routes and integrations as resources',
      );
    const { api } = ctx.services.apigatewayv2.createApi(
      ctx.scope,
      defined({
        Name: str(p.Name) || physicalName(ctx, 128),
        ProtocolType: str(p.ProtocolType) as 'HTTP',
        Description: p.Description === undefined ? undefined : str(p.Description),
        RouteSelectionExpression:
          p.RouteSelectionExpression === undefined ? undefined : str(p.RouteSelectionExpression),
        ApiKeySelectionExpression:
          p.ApiKeySelectionExpression === undefined ? undefined : str(p.ApiKeySelectionExpression),
        CorsConfiguration: p.CorsConfiguration as never,
        DisableExecuteApiEndpoint: bool(p.DisableExecuteApiEndpoint),
        DisableSchemaValidation: bool(p.DisableSchemaValidation),
        IpAddressType: p.IpAddressType === undefined ? undefined : (str(p.IpAddressType) as 'ipv4'),
        Tags: stringMap(p.Tags),
        Version: p.Version === undefined ? undefined : str(p.Version),
        Target: p.Target === undefined ? undefined : str(p.Target),
        RouteKey: p.RouteKey === undefined ? undefined : str(p.RouteKey),
        CredentialsArn: p.CredentialsArn === undefined ? undefined : str(p.CredentialsArn),
      }),
    );
    return {
      ref: api.ApiId,
      attributes: { ApiId: api.ApiId, ApiEndpoint: ctx.services.apigatewayv2.apiEndpoint(api.ApiId) },
    };
  },

  'AWS::ApiGatewayV2::Stage': (p, ctx) => {
    const logs = p.AccessLogSettings as { DestinationArn?: unknown; Format?: unknown } | undefined;
    const stage = ctx.services.apigatewayv2.createStage(
      ctx.scope,
      defined({
        ApiId: str(p.ApiId),
        StageName: str(p.StageName),
        AutoDeploy: bool(p.AutoDeploy),
        AccessLogSettings: logs
          ? defined({
              DestinationArn: logs.DestinationArn === undefined ? undefined : str(logs.DestinationArn),
              Format: logs.Format === undefined ? undefined : str(logs.Format),
            })
          : undefined,
        DefaultRouteSettings: p.DefaultRouteSettings as never,
        RouteSettings: p.RouteSettings as never,
        StageVariables: stringMap(p.StageVariables),
        Description: p.Description === undefined ? undefined : str(p.Description),
        DeploymentId: p.DeploymentId === undefined ? undefined : str(p.DeploymentId),
        ClientCertificateId: p.ClientCertificateId === undefined ? undefined : str(p.ClientCertificateId),
        Tags: stringMap(p.Tags),
      }),
    );
    return { ref: stage.StageName ?? '' };
  },

  'AWS::ApiGatewayV2::Integration': (p, ctx) => {
    const integration = ctx.services.apigatewayv2.createIntegration(
      ctx.scope,
      defined({
        ApiId: str(p.ApiId),
        IntegrationType: str(p.IntegrationType) as 'AWS_PROXY',
        IntegrationUri: p.IntegrationUri === undefined ? undefined : str(p.IntegrationUri),
        IntegrationMethod: p.IntegrationMethod === undefined ? undefined : str(p.IntegrationMethod),
        PayloadFormatVersion: p.PayloadFormatVersion === undefined ? undefined : str(p.PayloadFormatVersion),
        TimeoutInMillis: p.TimeoutInMillis === undefined ? undefined : Number(p.TimeoutInMillis),
        ConnectionType: p.ConnectionType === undefined ? undefined : (str(p.ConnectionType) as 'INTERNET'),
        CredentialsArn: p.CredentialsArn === undefined ? undefined : str(p.CredentialsArn),
        Description: p.Description === undefined ? undefined : str(p.Description),
        RequestParameters: stringMap(p.RequestParameters),
      }),
    );
    const id = integration.IntegrationId ?? '';
    return { ref: id, attributes: { IntegrationId: id } };
  },

  'AWS::ApiGatewayV2::Route': (p, ctx) => {
    const route = ctx.services.apigatewayv2.createRoute(
      ctx.scope,
      defined({
        ApiId: str(p.ApiId),
        RouteKey: str(p.RouteKey),
        AuthorizationType:
          p.AuthorizationType === undefined ? undefined : (str(p.AuthorizationType) as 'NONE'),
        AuthorizerId: p.AuthorizerId === undefined ? undefined : str(p.AuthorizerId),
        AuthorizationScopes: Array.isArray(p.AuthorizationScopes)
          ? p.AuthorizationScopes.map(str)
          : undefined,
        ApiKeyRequired: bool(p.ApiKeyRequired),
        OperationName: p.OperationName === undefined ? undefined : str(p.OperationName),
        Target: p.Target === undefined ? undefined : str(p.Target),
      }),
    );
    const id = route.RouteId ?? '';
    return { ref: id, attributes: { RouteId: id } };
  },

  'AWS::StepFunctions::StateMachine': (p, ctx) => {
    const name = str(p.StateMachineName) || physicalName(ctx, 80);
    const definition =
      typeof p.DefinitionString === 'string' ? p.DefinitionString : JSON.stringify(p.Definition ?? {});
    const machine = ctx.services.sfn.createStateMachine(ctx.scope, {
      name,
      definition,
      roleArn: str(p.RoleArn),
      type: (str(p.StateMachineType) || 'STANDARD') as 'STANDARD',
      ...(p.LoggingConfiguration ? { loggingConfiguration: camel(p.LoggingConfiguration) as never } : {}),
      ...(p.TracingConfiguration ? { tracingConfiguration: camel(p.TracingConfiguration) as never } : {}),
    });
    return { ref: machine.arn, attributes: { Arn: machine.arn, Name: machine.name } };
  },

  'AWS::Events::Rule': (p, ctx) => {
    const name = str(p.Name) || physicalName(ctx, 64);
    const pattern = p.EventPattern;
    const rule = ctx.services.events.putRule(ctx.scope, {
      Name: name,
      ...(pattern !== undefined
        ? { EventPattern: typeof pattern === 'string' ? pattern : JSON.stringify(pattern) }
        : {}),
      ...(p.ScheduleExpression ? { ScheduleExpression: str(p.ScheduleExpression) } : {}),
      ...(p.Description ? { Description: str(p.Description) } : {}),
      ...(p.EventBusName ? { EventBusName: str(p.EventBusName) } : {}),
      State: (str(p.State) || 'ENABLED') as 'ENABLED',
    });
    const targets = ((p.Targets as Record<string, unknown>[] | undefined) ?? []).map((t) => ({
      Id: str(t.Id),
      Arn: str(t.Arn),
      ...(t.Input !== undefined ? { Input: str(t.Input) } : {}),
      ...(t.InputPath !== undefined ? { InputPath: str(t.InputPath) } : {}),
      ...(t.RoleArn !== undefined ? { RoleArn: str(t.RoleArn) } : {}),
    }));
    if (targets.length) ctx.services.events.putTargets(ctx.scope, name, targets, rule.eventBusName);
    return { ref: name, attributes: { Arn: rule.arn } };
  },
};
