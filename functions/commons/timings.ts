import type {
  PreparedDeployment,
  RegisteredTaskDefinition,
  ResolvedImage,
  Rollout,
  Verification,
} from '../contract/shapes.js';

export interface PhaseStamps {
  startTime?: string;
  deployment?: Pick<PreparedDeployment, 'preparedAt'>;
  image?: Pick<ResolvedImage, 'resolvedAt'>;
  taskDefinition?: Pick<RegisteredTaskDefinition, 'registeredAt'>;
  rollout?: Pick<Rollout, 'completedAt'>;
  verification?: Pick<Verification, 'verifiedAt'>;
}

/**
 * Milliseconds per phase, from the completion stamps each step leaves in the
 * execution state: build (prepare → image resolved, including any CodeBuild
 * run), register, rollout (update → COMPLETED), verify, and the total. Phases
 * that didn't finish are left out.
 */
export function phaseTimings(stamps: PhaseStamps, end: number): Record<string, number> {
  const started = stamps.startTime ? Date.parse(stamps.startTime) : undefined;
  const points: [string, number | undefined, number | undefined][] = [
    ['build', stamps.deployment?.preparedAt, stamps.image?.resolvedAt],
    ['register', stamps.image?.resolvedAt, stamps.taskDefinition?.registeredAt],
    ['rollout', stamps.taskDefinition?.registeredAt, stamps.rollout?.completedAt],
    ['verify', stamps.rollout?.completedAt, stamps.verification?.verifiedAt],
    ['total', started, end],
  ];
  const timings: Record<string, number> = {};
  for (const [phase, from, to] of points) {
    if (from !== undefined && to !== undefined && Number.isFinite(from) && to >= from)
      timings[phase] = to - from;
  }
  return timings;
}
