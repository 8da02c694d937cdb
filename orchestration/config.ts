/**
 * stepship's one typed configuration. Defaults below; `cdk.json` context
 * (`"stepship": { … }`) overrides them; environment variables
 * (`STEPSHIP_<UPPER_SNAKE_KEY>`, e.g. STEPSHIP_DESIRED_COUNT) override both.
 * Every value is validated, and an invalid one is reported with its key, its
 * source and the allowed range. The local cloud reads the same configuration.
 */

export interface StepshipConfig {
  serviceName: string;
  containerName: string;
  containerPort: number;
  desiredCount: number;
  cpu: number;
  memoryMiB: number;
  cpuArchitecture: 'X86_64' | 'ARM64';
  healthCheckPath: string;
  healthCheckIntervalSeconds: number;
  healthCheckTimeoutSeconds: number;
  healthyThresholdCount: number;
  unhealthyThresholdCount: number;
  deregistrationDelaySeconds: number;
  healthCheckGracePeriodSeconds: number;
  stopTimeoutSeconds: number;
  tableName: string;
  region: string;
  certificateArn: string;
  domainName: string;
  natGateways: number;
  logRetentionDays: number;
  buildPlatforms: string;
  rolloutTimeoutSeconds: number;
  rolloutPollSeconds: number;
}

type Rule =
  | { kind: 'int'; min: number; max: number }
  | { kind: 'string'; pattern: RegExp; describe: string }
  | { kind: 'enum'; values: readonly string[] };

interface Field<K extends keyof StepshipConfig> {
  default: StepshipConfig[K];
  rule: Rule;
}

const int = (min: number, max: number): Rule => ({ kind: 'int', min, max });
const text = (pattern: RegExp, describe: string): Rule => ({ kind: 'string', pattern, describe });

const NAME = text(/^[a-zA-Z][a-zA-Z0-9-]{0,31}$/, 'a letter, then up to 31 letters, digits or hyphens');
/** CloudWatch Logs accepts only these retention periods. */
const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

export const FIELDS: { [K in keyof StepshipConfig]: Field<K> } = {
  serviceName: { default: 'web', rule: NAME },
  containerName: { default: 'web', rule: NAME },
  containerPort: { default: 3000, rule: int(1, 65535) },
  desiredCount: { default: 2, rule: int(2, 100) },
  cpu: { default: 256, rule: { kind: 'enum', values: ['256', '512', '1024', '2048', '4096'] } as Rule },
  memoryMiB: { default: 512, rule: int(512, 30720) },
  cpuArchitecture: { default: 'X86_64', rule: { kind: 'enum', values: ['X86_64', 'ARM64'] } },
  healthCheckPath: { default: '/', rule: text(/^\/[\x21-\x7e]{0,1023}$/, 'a path starting with "/"') },
  healthCheckIntervalSeconds: { default: 5, rule: int(5, 300) },
  healthCheckTimeoutSeconds: { default: 3, rule: int(2, 120) },
  healthyThresholdCount: { default: 2, rule: int(2, 10) },
  unhealthyThresholdCount: { default: 2, rule: int(2, 10) },
  deregistrationDelaySeconds: { default: 10, rule: int(0, 3600) },
  healthCheckGracePeriodSeconds: { default: 15, rule: int(0, 7200) },
  stopTimeoutSeconds: { default: 15, rule: int(2, 120) },
  tableName: {
    default: 'web-app-table',
    rule: text(/^[a-zA-Z0-9_.-]{3,255}$/, '3–255 of a-z A-Z 0-9 _ . -'),
  },
  region: { default: 'us-east-1', rule: text(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as us-east-1') },
  certificateArn: {
    default: '',
    rule: text(
      /^$|^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/,
      'empty, or an ACM certificate ARN',
    ),
  },
  domainName: { default: '', rule: text(/^$|^([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/, 'empty, or a DNS name') },
  natGateways: { default: 1, rule: int(1, 2) },
  logRetentionDays: { default: 30, rule: { kind: 'enum', values: RETENTION_DAYS.map(String) } },
  buildPlatforms: {
    default: 'linux/amd64,linux/arm64',
    rule: text(
      /^linux\/(amd64|arm64)(,linux\/(amd64|arm64))?$/,
      'linux/amd64, linux/arm64, or both comma-separated',
    ),
  },
  rolloutTimeoutSeconds: { default: 900, rule: int(60, 7200) },
  rolloutPollSeconds: { default: 5, rule: int(1, 60) },
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid stepship configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export const envName = (key: string): string =>
  `STEPSHIP_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

/** Fargate's valid memory sizes (MiB) for each CPU size. */
function fargateMemoryRange(cpu: number): { min: number; max: number; step: number } {
  switch (cpu) {
    case 256:
      return { min: 512, max: 2048, step: 512 };
    case 512:
      return { min: 1024, max: 4096, step: 1024 };
    case 1024:
      return { min: 2048, max: 8192, step: 1024 };
    case 2048:
      return { min: 4096, max: 16384, step: 1024 };
    default:
      return { min: 8192, max: 30720, step: 1024 };
  }
}

/**
 * Resolves the configuration from defaults, context (`cdk.json`'s "stepship"
 * object) and environment variables, throwing one ConfigError that lists
 * every invalid value.
 */
export function loadConfig(
  context: Record<string, unknown> = {},
  env: NodeJS.ProcessEnv = process.env,
): StepshipConfig {
  const problems: string[] = [];
  for (const key of Object.keys(context)) {
    if (!(key in FIELDS))
      problems.push(`${key} (from cdk.json context "stepship") is not a configuration key`);
  }
  const config: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(FIELDS) as [
    keyof StepshipConfig,
    Field<keyof StepshipConfig>,
  ][]) {
    const fromEnv = env[envName(key)];
    const [raw, source] =
      fromEnv !== undefined
        ? [fromEnv, envName(key)]
        : key in context
          ? [context[key], 'cdk.json context "stepship"']
          : [field.default, 'defaults'];
    const parsed = check(key, raw, field, source);
    if (typeof parsed === 'string' && parsed.startsWith('\0')) problems.push(parsed.slice(1));
    else config[key] = parsed;
  }
  const resolved = config as unknown as StepshipConfig;
  if (problems.length === 0) problems.push(...crossChecks(resolved));
  if (problems.length > 0) throw new ConfigError(problems);
  return resolved;
}

/** Returns the parsed value, or a problem string marked with a leading NUL. */
function check(key: string, raw: unknown, field: Field<keyof StepshipConfig>, source: string): unknown {
  const got = `got ${JSON.stringify(raw)}, from ${source}`;
  const { rule } = field;
  const wantsNumber = typeof field.default === 'number';
  const value = wantsNumber && typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  switch (rule.kind) {
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < rule.min || value > rule.max) {
        return `\0${key} must be an integer from ${rule.min} to ${rule.max} (${got})`;
      }
      return value;
    case 'enum':
      if (!rule.values.includes(String(value)))
        return `\0${key} must be one of ${rule.values.join(', ')} (${got})`;
      return wantsNumber ? Number(value) : value;
    case 'string':
      if (typeof value !== 'string' || !rule.pattern.test(value))
        return `\0${key} must be ${rule.describe} (${got})`;
      return value;
  }
}

function crossChecks(c: StepshipConfig): string[] {
  const problems: string[] = [];
  const memory = fargateMemoryRange(c.cpu);
  if (c.memoryMiB < memory.min || c.memoryMiB > memory.max || c.memoryMiB % memory.step !== 0) {
    problems.push(
      `memoryMiB must be from ${memory.min} to ${memory.max} in steps of ${memory.step} for cpu ${c.cpu} (got ${c.memoryMiB})`,
    );
  }
  if (c.healthCheckTimeoutSeconds >= c.healthCheckIntervalSeconds) {
    problems.push(
      `healthCheckTimeoutSeconds must be less than healthCheckIntervalSeconds (got ${c.healthCheckTimeoutSeconds} ≥ ${c.healthCheckIntervalSeconds})`,
    );
  }
  if ((c.domainName === '') !== (c.certificateArn === '') && c.domainName !== '') {
    problems.push('domainName needs certificateArn: HTTPS is served only with a certificate');
  }
  return problems;
}

/**
 * Settings that work but make every deploy slow: pre-flight warnings no
 * other ECS deployer gives (300 s draining, 30 s × 5 health checks).
 */
export function slowSettingWarnings(c: StepshipConfig): string[] {
  const warnings: string[] = [];
  if (c.deregistrationDelaySeconds > 60) {
    warnings.push(
      `deregistrationDelaySeconds is ${c.deregistrationDelaySeconds}: every deploy waits that long for old tasks to drain`,
    );
  }
  const toHealthy = c.healthCheckIntervalSeconds * c.healthyThresholdCount;
  if (toHealthy > 60) {
    warnings.push(
      `health checks take ${toHealthy} s (interval × healthy threshold) before a task that recovered counts as healthy`,
    );
  }
  return warnings;
}
