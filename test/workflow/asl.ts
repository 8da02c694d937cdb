import type { Template } from 'aws-cdk-lib/assertions';
import { type Environment, resolve } from '../../local/provision/intrinsics.js';

export interface StateMachineDefinition {
  StartAt: string;
  States: Record<string, { Type: string; Resource?: string; [key: string]: unknown }>;
  [key: string]: unknown;
}

export const TEST_REGION = 'us-east-1';
export const TEST_ACCOUNT = '123456789012';
export const functionArn = (logicalId: string) =>
  `arn:aws:lambda:${TEST_REGION}:${TEST_ACCOUNT}:function:${logicalId}`;

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/** What the service stack exports, with plausible values: physical names where the template fixes them. */
function serviceExports(service: Template): Record<string, string> {
  const template = service.toJSON() as {
    Resources: Resources;
    Outputs?: Record<string, { Value: unknown; Export?: { Name: string } }>;
  };
  const named = (r: Resources[string]) =>
    ['RepositoryName', 'TableName', 'ServiceName', 'ClusterName']
      .map((p) => r.Properties?.[p])
      .find((v): v is string => typeof v === 'string');
  const refs = Object.fromEntries(Object.entries(template.Resources).map(([id, r]) => [id, named(r) ?? id]));
  const arn = (id: string) => {
    const r = template.Resources[id];
    if (r?.Type === 'AWS::ECR::Repository')
      return `arn:aws:ecr:${TEST_REGION}:${TEST_ACCOUNT}:repository/${refs[id]}`;
    return `arn:aws:${r?.Type.split('::')[1]?.toLowerCase()}:${TEST_REGION}:${TEST_ACCOUNT}:${id}`;
  };
  const attributes = Object.fromEntries(
    Object.keys(template.Resources).map((id) => [
      id,
      { Arn: arn(id), DNSName: 'alb.local', GroupId: `sg-${id}` },
    ]),
  );
  const env: Environment = {
    region: TEST_REGION,
    accountId: TEST_ACCOUNT,
    stackName: 'Stepship-web-App',
    refs,
    attributes,
  };
  return Object.fromEntries(
    Object.values(template.Outputs ?? {})
      .filter((o) => o.Export)
      .map((o) => [o.Export?.Name ?? '', String(resolve(o.Value, env))]),
  );
}

/**
 * The deployment state machine's ASL exactly as synthesized, with its tokens
 * resolved: each function's ARN names its logical id, so a Task state's
 * Resource says which step it invokes; what it imports from the service
 * stack (the targets' repository, load balancer, tables…) resolves to
 * plausible names, e.g. the load balancer at http://alb.local.
 */
export function synthesizedDefinition(pipeline: Template, service: Template): StateMachineDefinition {
  const resources = pipeline.toJSON().Resources as Record<
    string,
    { Type: string; Properties: Record<string, unknown> }
  >;
  const [machine] = Object.values(resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  if (!machine) throw new Error('no state machine in the pipeline template');
  const env: Environment = {
    region: TEST_REGION,
    accountId: TEST_ACCOUNT,
    stackName: 'Stepship-web-Pipeline',
    refs: Object.fromEntries(Object.keys(resources).map((id) => [id, id])),
    attributes: Object.fromEntries(
      Object.entries(resources)
        .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
        .map(([id]) => [id, { Arn: functionArn(id) }]),
    ),
    exports: serviceExports(service),
  };
  return JSON.parse(resolve(machine.Properties.DefinitionString, env) as string) as StateMachineDefinition;
}

/** The step folder a Task state invokes ("Prepare" for StepsPrepareFunctionF3152D1F), or its service integration. */
export function stepOf(resource: string): string {
  const logicalId = /:function:(\w+)$/.exec(resource)?.[1];
  if (!logicalId) return resource;
  const step = /^Steps(\w+?)Function[0-9A-F]{8}$/.exec(logicalId)?.[1];
  if (!step) throw new Error(`Task resource ${resource} is not one of the workflow steps`);
  return step;
}
