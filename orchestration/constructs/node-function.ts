import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { StepName } from '../../functions/contract/states.js';
import { LAMBDA_BUNDLE_KEY_CONTEXT } from '../lambda-bundle-cache.js';
import { dependOnPolicyOnly } from './policy-dependency.js';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A function that must reach addresses inside a VPC (the verify step, which calls tasks directly). */
export interface FunctionNetwork {
  vpc: ec2.IVpc;
  subnets: ec2.SubnetSelection;
  securityGroups: ec2.ISecurityGroup[];
}

export interface NodeFunctionProps {
  /** The step's folder under functions/, holding handler.ts. */
  step: StepName;
  description: string;
  environment: Record<string, string>;
  logRetention: logs.RetentionDays;
  timeout?: Duration;
  memorySize?: number;
  network?: FunctionNetwork;
}

/**
 * Every stepship Lambda, with the defaults set once: Node 24 on ARM64, an ESM
 * bundle built locally by esbuild (never Docker) with source maps, active
 * X-Ray tracing (each invocation in the execution's trace; the SDK passes the
 * trace header on, so no tracer is bundled), its own log group with a
 * retention period, and its own role that
 * may only write to that log group and its traces — callers grant the rest.
 */
export class NodeFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: NodeFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `stepship ${props.step} step`,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    const bundleKey: unknown = this.node.tryGetContext(LAMBDA_BUNDLE_KEY_CONTEXT);
    this.function = new NodejsFunction(this, 'Function', {
      entry: `${PROJECT_ROOT}functions/${props.step}/handler.ts`,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      // Nothing is installed into the bundles, so the lock file only names the package manager that runs
      // esbuild (npm, the default); an installed stepship has no package-lock.json (npm never packs one).
      depsLockFilePath: `${PROJECT_ROOT}package.json`,
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(30),
      role: this.role,
      logGroup: this.logGroup,
      tracing: lambda.Tracing.ACTIVE,
      ...(props.network
        ? {
            vpc: props.network.vpc,
            vpcSubnets: props.network.subnets,
            securityGroups: props.network.securityGroups,
          }
        : {}),
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        platform: 'node',
        mainFields: ['module', 'main'],
        minify: true,
        keepNames: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.EXTERNAL,
        // The SDK is bundled, so every run — on AWS or on the local cloud — uses the locked versions.
        bundleAwsSDK: true,
        externalModules: [],
        // ESM bundles of CommonJS dependencies still call require().
        banner: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);",
        forceDockerBundling: false,
        logLevel: LogLevel.WARNING,
        // With a bundle cache, the asset is named by its inputs' digest, so a cached bundle is found before esbuild runs.
        ...(typeof bundleKey === 'string' ? { assetHash: `${bundleKey}:${props.step}` } : {}),
      },
    });
    dependOnPolicyOnly(this.function.node.defaultChild as lambda.CfnFunction, this.role);
    // Callers that grant other wildcard actions acknowledge this finding again, naming both.
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray trace writes (xray:PutTraceSegments, xray:PutTelemetryRecords) have no resource-level permissions.',
    });
  }
}
