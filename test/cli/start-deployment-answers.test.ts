import type { LambdaClient } from '@aws-sdk/client-lambda';
import { describe, expect, it } from '@jest/globals';
import { startDeployment } from '../../cli/deploy.js';
import { CommandFailedError, EXIT, UsageError } from '../../cli/errors.js';

/** A Lambda client whose start-deployment answers `statusCode` with `body`, as the function's HTTP answer. */
function answering(statusCode: number, body: unknown): { lambda: LambdaClient } {
  const payload = JSON.stringify({ statusCode, body: JSON.stringify(body) });
  const lambda = { send: async () => ({ Payload: Buffer.from(payload) }) } as unknown as LambdaClient;
  return { lambda };
}

const target = { service: 'web', sourceBucket: 'stepship-sources', startFunction: 'start' };

describe('stepship deploy, on what start-deployment answers', () => {
  it("fails with the function's own words (exit 1) when the service is being deployed (409)", async () => {
    const message =
      'A deployment of web is already in progress: api-web-1 (since 2026-11-30T03:00:00.000Z). Send the request again with "queue": true to deploy after it (the newest queued request wins), or wait for it to finish.';
    const refused = startDeployment(
      answering(409, { error: 'DeploymentInProgressError', message, runningDeploymentId: 'api-web-1' }),
      target,
      { imageTag: 'v2' },
      'cli:me@here',
    );
    await expect(refused).rejects.toBeInstanceOf(CommandFailedError);
    await expect(refused).rejects.toMatchObject({ message, exitCode: EXIT.failed });
  });

  it('is a usage error (exit 2) when the request is refused (400)', async () => {
    const refused = startDeployment(
      answering(400, { error: 'ValidationError', message: 'imageTag must be an image tag' }),
      target,
      { imageTag: '-v2' },
      'cli:me@here',
    );
    await expect(refused).rejects.toBeInstanceOf(UsageError);
    await expect(refused).rejects.toMatchObject({ exitCode: EXIT.usage });
  });

  it('returns the deployment accepted (202)', async () => {
    await expect(
      startDeployment(
        answering(202, {
          deploymentId: 'cli-web-1',
          executionArn: 'arn:aws:states:us-east-1:1:execution:sm:cli-web-1',
        }),
        target,
        { imageTag: 'v2' },
        'cli:me@here',
      ),
    ).resolves.toEqual({
      deploymentId: 'cli-web-1',
      executionArn: 'arn:aws:states:us-east-1:1:execution:sm:cli-web-1',
    });
  });
});
