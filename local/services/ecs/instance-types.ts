/**
 * What an instance type registers with ECS: 1024 CPU units per vCPU, and
 * its memory less what the kernel and platform keep. AWS's example (an
 * m4.large, 8 GiB installed, registers 7985 MiB) is 97.5 % of installed
 * memory, the share used here. Sizes follow the general-purpose families
 * (t, m); compute-optimized (c) have half their memory per vCPU and
 * memory-optimized (r, x) twice.
 */
const SIZES: Record<string, { vcpus: number; gib: number }> = {
  nano: { vcpus: 2, gib: 0.5 },
  micro: { vcpus: 2, gib: 1 },
  small: { vcpus: 2, gib: 2 },
  medium: { vcpus: 2, gib: 4 },
  large: { vcpus: 2, gib: 8 },
  xlarge: { vcpus: 4, gib: 16 },
  '2xlarge': { vcpus: 8, gib: 32 },
  '4xlarge': { vcpus: 16, gib: 64 },
  '8xlarge': { vcpus: 32, gib: 128 },
};

const REGISTERED_SHARE = 7985 / 8192;

export interface InstanceResources {
  cpu: number;
  memory: number;
}

/** The CPU units and MiB an instance of this type registers; undefined for a size the table lacks. */
export function instanceResources(instanceType: string): InstanceResources | undefined {
  const [family = '', size = ''] = instanceType.split('.');
  const base = SIZES[size];
  if (!base) return undefined;
  const memoryFactor = /^c/.test(family) ? 0.5 : /^[rx]/.test(family) ? 2 : 1;
  // t-family micro to medium have 2 vCPUs and their own memory; larger c/r sizes scale with vCPUs.
  const gib = /^[tm]/.test(family) ? base.gib : base.vcpus * 4 * memoryFactor;
  return { cpu: base.vcpus * 1024, memory: Math.floor(gib * 1024 * REGISTERED_SHARE) };
}
