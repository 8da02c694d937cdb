import type { ProvisionedStack } from '../services/cloudformation/provider.js';
import type { CfnResource, StackArtifact } from './cloud-assembly.js';
import { resourceOrder } from './cloud-assembly.js';
import { type Environment, resolve } from './intrinsics.js';
import { kindOf, whyNotEmulated } from './not-emulated.js';
import { HANDLERS, type ProvisionContext } from './resource-handlers.js';

export interface ProvisionedResource {
  stack: string;
  logicalId: string;
  type: string;
  physicalId: string;
  /** True when the local cloud only recorded it (VPC, IAM policy, security group…). */
  recordOnly: boolean;
  /** Why a recorded-only resource is not emulated locally. */
  notEmulated?: string;
}

export interface ProvisionResult {
  resources: ProvisionedResource[];
  /** Each stack as CloudFormation would describe it: outputs and resources. */
  stacks: ProvisionedStack[];
  /** Stack outputs, resolved: `<stack>.<output>` → value. */
  outputs: Record<string, string>;
}

/**
 * Creates, from the synthesized templates, what the local cloud can run, in
 * dependency order, with every intrinsic resolved; records the rest. Values
 * (health checks, draining, desired count, container definitions…) come
 * from the template alone.
 */
export async function provision(
  stacks: StackArtifact[],
  base: Omit<ProvisionContext, 'stackName' | 'logicalId'>,
  onResource: (r: ProvisionedResource) => void = () => undefined,
): Promise<ProvisionResult> {
  const exports: Record<string, string> = {};
  const outputs: Record<string, string> = {};
  const resources: ProvisionedResource[] = [];
  const described: ProvisionedStack[] = [];
  for (const stack of stacks) {
    const stackOutputs: ProvisionedStack['outputs'] = [];
    const env: Environment = {
      region: base.region,
      accountId: base.accountId,
      stackName: stack.name,
      refs: {},
      attributes: {},
      exports,
    };
    for (const [name, parameter] of Object.entries(stack.template.Parameters ?? {})) {
      env.refs[name] = name === 'BootstrapVersion' ? '99' : String(parameter.Default ?? '');
    }
    for (const logicalId of resourceOrder(stack.template)) {
      const resource = stack.template.Resources[logicalId] as CfnResource;
      const handler = HANDLERS[resource.Type];
      const ctx: ProvisionContext = { ...base, stackName: stack.name, logicalId };
      let record: ProvisionedResource;
      if (!handler || resource.Condition) {
        const physicalId = `${logicalId.toLowerCase()}-local`;
        env.refs[logicalId] = physicalId;
        env.attributes[logicalId] = placeholderAttributes(logicalId);
        record = {
          stack: stack.name,
          logicalId,
          type: resource.Type,
          physicalId,
          recordOnly: true,
          notEmulated: resource.Condition
            ? 'conditional resources are not evaluated'
            : whyNotEmulated(resource.Type),
        };
      } else {
        const properties = resolve(resource.Properties ?? {}, env) as Record<string, unknown>;
        let created: Awaited<ReturnType<typeof handler>>;
        try {
          created = await handler(properties, ctx);
        } catch (err) {
          throw new Error(
            `Provisioning ${stack.name}/${logicalId} (${resource.Type}) failed: ${(err as Error).message}`,
            { cause: err },
          );
        }
        env.refs[logicalId] = created.ref;
        env.attributes[logicalId] = created.attributes ?? {};
        record = {
          stack: stack.name,
          logicalId,
          type: resource.Type,
          physicalId: created.ref,
          recordOnly: false,
        };
      }
      resources.push(record);
      onResource(record);
    }
    for (const [name, output] of Object.entries(stack.template.Outputs ?? {})) {
      const value = String(resolve(output.Value, env));
      outputs[`${stack.name}.${name}`] = value;
      const exportName = output.Export ? String(resolve(output.Export.Name, env)) : undefined;
      if (exportName) exports[exportName] = value;
      stackOutputs.push({
        key: name,
        value,
        ...(output.Description ? { description: output.Description } : {}),
        ...(exportName ? { exportName } : {}),
      });
    }
    described.push({
      name: stack.name,
      ...(stack.template.Description ? { description: stack.template.Description } : {}),
      template: stack.template,
      outputs: stackOutputs,
      resources: resources
        .filter((r) => r.stack === stack.name)
        .map((r) => ({ logicalId: r.logicalId, physicalId: r.physicalId, type: r.type })),
    });
  }
  return { resources, outputs, stacks: described };
}

/** A recorded-only resource answers any attribute with a stable placeholder (sg-…, vpc-…). */
function placeholderAttributes(logicalId: string): Record<string, string> {
  return new Proxy({} as Record<string, string>, {
    get: (_t, attr) => `${logicalId.toLowerCase()}-${String(attr).toLowerCase()}-local`,
  });
}

/** One line per resource type recorded without being run: the type, how many, and why. */
export function notEmulatedLines(resources: ProvisionedResource[]): string[] {
  const byType = new Map<string, { count: number; why: string }>();
  for (const r of resources) {
    if (!r.recordOnly) continue;
    const seen = byType.get(r.type);
    byType.set(r.type, { count: (seen?.count ?? 0) + 1, why: r.notEmulated ?? '' });
  }
  return [...byType].map(([type, { count, why }]) => `${type} ×${count} not emulated locally: ${why}`);
}

/** How many kinds one summary line names before "…". */
const SUMMARY_KINDS = 3;

/**
 * The recorded-only resources in one line: how many, of how many types, and
 * what they are, most numerous first (the rest as "…"); undefined when the
 * local cloud ran every resource.
 */
export function notEmulatedSummary(resources: ProvisionedResource[]): string | undefined {
  const recorded = resources.filter((r) => r.recordOnly);
  if (recorded.length === 0) return undefined;
  const types = new Set(recorded.map((r) => r.type));
  const byKind = new Map<string, number>();
  for (const r of recorded) byKind.set(kindOf(r.type), (byKind.get(kindOf(r.type)) ?? 0) + 1);
  const kinds = [...byKind].sort((a, b) => b[1] - a[1]).map(([kind]) => kind);
  const named = kinds.slice(0, SUMMARY_KINDS).join(', ') + (kinds.length > SUMMARY_KINDS ? '…' : '');
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(recorded.length, 'resource')} of ${plural(types.size, 'type')} recorded, not run (${named})`;
}
