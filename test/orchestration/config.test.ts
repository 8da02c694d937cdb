import { describe, expect, it } from '@jest/globals';
import { ConfigError, envName, FIELDS, loadConfig, slowSettingWarnings } from '../../orchestration/config.js';

function problemsOf(context: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    loadConfig(context, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('the configuration', () => {
  it('has defaults that describe the reference architecture, tuned for fast deploys', () => {
    const c = loadConfig({}, {});
    expect(c).toMatchObject({
      serviceName: 'web',
      containerPort: 3000,
      desiredCount: 2,
      natGateways: 1,
      healthCheckPath: '/',
    });
    expect(c.healthCheckIntervalSeconds).toBeLessThanOrEqual(10);
    expect(c.healthyThresholdCount).toBeLessThanOrEqual(3);
    expect(c.deregistrationDelaySeconds).toBeLessThanOrEqual(30);
    expect(slowSettingWarnings(c)).toEqual([]);
  });

  it('takes cdk.json context over defaults, and environment variables over both', () => {
    const c = loadConfig({ desiredCount: 3, tableName: 'from-context' }, { STEPSHIP_DESIRED_COUNT: '4' });
    expect(c.desiredCount).toBe(4);
    expect(c.tableName).toBe('from-context');
  });

  it('names every key by an environment variable', () => {
    expect(envName('healthCheckIntervalSeconds')).toBe('STEPSHIP_HEALTH_CHECK_INTERVAL_SECONDS');
    expect(Object.keys(FIELDS).map(envName)).toContain('STEPSHIP_DESIRED_COUNT');
  });

  it.each<[string, Record<string, unknown>, NodeJS.ProcessEnv, string]>([
    [
      'a desired count below 2',
      { desiredCount: 1 },
      {},
      'desiredCount must be an integer from 2 to 100 (got 1, from cdk.json context "stepship")',
    ],
    [
      'a non-numeric env value',
      {},
      { STEPSHIP_CONTAINER_PORT: 'http' },
      'containerPort must be an integer from 1 to 65535 (got "http", from STEPSHIP_CONTAINER_PORT)',
    ],
    [
      'a fractional interval',
      { healthCheckIntervalSeconds: 5.5 },
      {},
      'healthCheckIntervalSeconds must be an integer from 5 to 300',
    ],
    [
      'a CPU Fargate does not offer',
      { cpu: 300 },
      {},
      'cpu must be one of 256, 512, 1024, 2048, 4096 (got 300',
    ],
    [
      'memory that does not fit the CPU',
      { cpu: 256, memoryMiB: 4096 },
      {},
      'memoryMiB must be from 512 to 2048 in steps of 512 for cpu 256 (got 4096)',
    ],
    [
      'a timeout not below the interval',
      { healthCheckIntervalSeconds: 5, healthCheckTimeoutSeconds: 5 },
      {},
      'healthCheckTimeoutSeconds must be less than healthCheckIntervalSeconds',
    ],
    [
      'a health-check path without a slash',
      { healthCheckPath: 'health' },
      {},
      'healthCheckPath must be a path starting with "/"',
    ],
    [
      'an unknown key',
      { desiredCuont: 3 },
      {},
      'desiredCuont (from cdk.json context "stepship") is not a configuration key',
    ],
    [
      'a bad region',
      {},
      { STEPSHIP_REGION: 'mars-1' },
      'region must be an AWS region such as us-east-1 (got "mars-1", from STEPSHIP_REGION)',
    ],
    [
      'a retention CloudWatch does not offer',
      { logRetentionDays: 10 },
      {},
      'logRetentionDays must be one of 1, 3, 5, 7, 14, 30',
    ],
    [
      'a domain without a certificate',
      { domainName: 'app.example.com' },
      {},
      'domainName needs certificateArn',
    ],
    ['no NAT gateway', { natGateways: 0 }, {}, 'natGateways must be an integer from 1 to 2'],
  ])('rejects %s, naming the key, the allowed range and the source', (_case, context, env, message) => {
    const problems = problemsOf(context, env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  it('reports every invalid value at once', () => {
    expect(problemsOf({ desiredCount: 0, containerPort: 0, serviceName: '9web' })).toHaveLength(3);
  });

  it('warns about settings that make every deploy slow', () => {
    const c = loadConfig(
      { deregistrationDelaySeconds: 300, healthCheckIntervalSeconds: 30, healthyThresholdCount: 5 },
      {},
    );
    expect(slowSettingWarnings(c)).toEqual([
      expect.stringContaining('deregistrationDelaySeconds is 300'),
      expect.stringContaining('health checks take 150 s'),
    ]);
  });
});
