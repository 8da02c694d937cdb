import type { DeployTarget, PreparedDeployment } from '../../functions/contract/shapes.js';

/** The demo service as the state machine hands it to the steps (the pipeline's literal, resolved). */
export const WEB_TARGET: DeployTarget = {
  service: 'web',
  cluster: 'stepship-web',
  containerName: 'web',
  containerPort: 3000,
  repositoryName: 'web',
  repositoryUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/web',
  targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef',
  loadBalancerUrl: 'http://alb.local',
  tables: { app: 'web-app-table' },
  verify: {
    checks: [
      { path: '/', status: 200, json: {} },
      { path: '/db', status: 200, json: { db: 'connected', tables: { contains: '${table:app}' } } },
    ],
    identity: { path: '/status', field: 'taskIP', kind: 'ip', imageField: 'imageDigest' },
  },
  build: { dockerfile: 'Dockerfile', args: '' },
};

/** What Prepare resolved for a deployment of `target`. */
export function preparedDeployment(
  overrides: Partial<PreparedDeployment> = {},
  target: DeployTarget = WEB_TARGET,
): PreparedDeployment {
  return {
    deploymentId: 'api-web-1',
    executionArn: 'arn:aws:states:us-east-1:123456789012:execution:stepship-web-deploy:api-web-1',
    target,
    needsBuild: false,
    preparedAt: 0,
    ...overrides,
  };
}
