/**
 * Fargate task sizes: CPU units and memory in MiB, written as ECS task
 * definitions accept them (`256`, `0.25 vCPU`; `512`, `1 GB`).
 */
import { z } from 'zod';

/** Valid memory sizes (MiB) per CPU size (units), from the Fargate task size table. */
const MEMORY_BY_CPU = new Map<number, number[]>([
  [256, [512, 1024, 2048]],
  [512, steps(1024, 4096, 1024)],
  [1024, steps(2048, 8192, 1024)],
  [2048, steps(4096, 16384, 1024)],
  [4096, steps(8192, 30720, 1024)],
  [8192, steps(16384, 61440, 4096)],
  [16384, steps(32768, 122880, 8192)],
]);

function steps(from: number, to: number, step: number): number[] {
  return Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);
}

const CPU_UNITS = [...MEMORY_BY_CPU.keys()];
const VCPUS = CPU_UNITS.map((units) => units / 1024);
const CPU_ERROR = `must be a Fargate CPU size: ${CPU_UNITS.join(', ')} (units) or ${VCPUS.join(', ')} (vCPU, e.g. "0.5 vCPU")`;
// No `i` flag: JSON Schema patterns have no flags, and editors check with the same pattern.
const CPU_TEXT = /^(\d+(?:\.\d+)?|\.\d+)\s*([vV][cC][pP][uU])?$/;

export const cpuSize = z
  .union(
    [z.number({ error: CPU_ERROR }), z.string({ error: CPU_ERROR }).regex(CPU_TEXT, { error: CPU_ERROR })],
    {
      error: CPU_ERROR,
    },
  )
  .transform(cpuUnits)
  .pipe(z.number().refine((units) => MEMORY_BY_CPU.has(units), { error: CPU_ERROR }));

/** Small numbers are vCPUs (0.25 … 16), large ones units (256 … 16384): the two ranges do not overlap. */
function cpuUnits(value: number | string): number {
  const [, amount = '', vcpu] = CPU_TEXT.exec(String(value)) ?? [];
  const number = Number(amount);
  return vcpu !== undefined || number <= 16 ? number * 1024 : number;
}

const MEMORY_ERROR = 'must be memory in MiB (e.g. 512, 2048) or text such as "512 MiB", "1 GB", "0.5 GB"';
const MEMORY_TEXT = /^(\d+(?:\.\d+)?|\.\d+)\s*([mMgG][iI]?[bB])?$/;

export const memorySize = z
  .union(
    [
      z.int({ error: MEMORY_ERROR }).min(1, { error: MEMORY_ERROR }),
      z.string({ error: MEMORY_ERROR }).regex(MEMORY_TEXT, { error: MEMORY_ERROR }),
    ],
    { error: MEMORY_ERROR },
  )
  .transform(memoryMiB)
  .pipe(z.int({ error: MEMORY_ERROR }).min(1, { error: MEMORY_ERROR }));

/** ECS reads "1 GB" as 1024 MiB, and so do we. */
function memoryMiB(value: number | string): number {
  const [, amount = '', unit = ''] = MEMORY_TEXT.exec(String(value)) ?? [];
  return unit.toLowerCase().startsWith('g') ? Number(amount) * 1024 : Number(amount);
}

/** Why cpu and memory are not a Fargate pair, or undefined when they are. */
export function fargatePairProblem(cpu: number, memory: number): string | undefined {
  const valid = MEMORY_BY_CPU.get(cpu) ?? [];
  if (valid.includes(memory)) return undefined;
  const sizes =
    valid.length <= 3
      ? valid.join(', ')
      : `${valid[0]} to ${valid.at(-1)} in steps of ${(valid[1] ?? 0) - (valid[0] ?? 0)}`;
  return `must be a Fargate memory size for cpu ${cpu} (${cpu / 1024} vCPU): ${sizes} MiB (got ${memory} MiB)`;
}
