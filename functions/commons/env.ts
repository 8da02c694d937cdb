/**
 * The deployment target and workflow settings, from the function's environment
 * (set by the CDK stack from the one configuration). Read once per cold start.
 */
export interface TargetEnv {
  serviceName: string;
  clusterName: string;
  containerName: string;
  repositoryName: string;
  repositoryUri: string;
  appTableName: string;
  loadBalancerUrl: string;
  targetGroupArn: string;
  desiredCount: number;
}

export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new Error(`Missing environment variable ${name}: the stack sets it on every stepship function`);
  }
  return value;
}

export function requireNumber(name: string, env: NodeJS.ProcessEnv = process.env): number {
  const raw = requireEnv(name, env);
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0)
    throw new Error(`Environment variable ${name} must be a number, got "${raw}"`);
  return value;
}

export function readTargetEnv(env: NodeJS.ProcessEnv = process.env): TargetEnv {
  return {
    serviceName: requireEnv('SERVICE_NAME', env),
    clusterName: requireEnv('CLUSTER_NAME', env),
    containerName: requireEnv('CONTAINER_NAME', env),
    repositoryName: requireEnv('REPOSITORY_NAME', env),
    repositoryUri: requireEnv('REPOSITORY_URI', env),
    appTableName: requireEnv('APP_TABLE_NAME', env),
    loadBalancerUrl: requireEnv('LOAD_BALANCER_URL', env).replace(/\/+$/, ''),
    targetGroupArn: requireEnv('TARGET_GROUP_ARN', env),
    desiredCount: requireNumber('DESIRED_COUNT', env),
  };
}
