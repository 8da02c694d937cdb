import type { AppModel } from '../manifest/model.js';

/**
 * Settings that work but make every deployment slow — the pre-flight
 * warnings peers don't give: a long deregistration delay (AWS's default is
 * 300 s) and health checks that take minutes to call a task healthy again.
 */
export function slowSettingWarnings(app: AppModel): string[] {
  const warnings: string[] = [];
  for (const s of app.services) {
    if (s.deregistrationDelaySeconds > 60)
      warnings.push(
        `${s.name}: deregistrationDelay is ${s.deregistrationDelaySeconds} s: every deployment waits that long for old tasks to drain`,
      );
    const toHealthy = s.healthCheck.intervalSeconds * s.healthCheck.healthyThreshold;
    if (toHealthy > 60)
      warnings.push(
        `${s.name}: health checks take ${toHealthy} s (interval × healthy threshold) before a task that recovered counts as healthy`,
      );
  }
  return warnings;
}
