import type { CodeBuildStore } from './store.js';

/** The finished builds kept per project. */
export const FINISHED_BUILDS_KEPT = 1000;

/**
 * Forgets a project's oldest finished builds beyond `kept` (the store holds
 * builds in start order), so a long-lived local cloud stays bounded; builds
 * still running are never forgotten.
 */
export function forgetOldBuilds(
  store: CodeBuildStore,
  projectName: string,
  kept = FINISHED_BUILDS_KEPT,
): void {
  const finished = [...store.builds.values()].filter(
    (r) => r.build.projectName === projectName && r.build.buildComplete === true,
  );
  for (const record of finished.slice(0, Math.max(0, finished.length - kept)))
    store.builds.delete(record.build.id);
}
