import { dependencyCacheDir } from '../../local/images/local-builder.js';
import { LAMBDA_BUNDLE_CACHE_ENV } from '../../orchestration/lambda-bundle-cache.js';

/**
 * The suite's caches, for a `stepship` command a test starts with an
 * environment of its own (no HOME of the developer's): the Lambda bundles
 * (set in jest.config.js; without them each start runs esbuild for every
 * function again) and the apps' installed dependencies, keyed by lockfile
 * (without them each start installs the demo's from the registry again —
 * and where the registry needs the developer's npm settings, fails after
 * a minute of retries).
 */
export function suiteCachesEnv(): Record<string, string> {
  const bundles = process.env[LAMBDA_BUNDLE_CACHE_ENV];
  return {
    ...(bundles ? { [LAMBDA_BUNDLE_CACHE_ENV]: bundles } : {}),
    STEPSHIP_DEPENDENCY_CACHE: dependencyCacheDir(),
  };
}
