import { DescribeImagesCommand, ECRClient, ImageNotFoundException } from '@aws-sdk/client-ecr';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { ImageNotFoundError, TargetNotFoundError } from '../../functions/commons/errors.js';
import type { ResolvedImage } from '../../functions/contract/shapes.js';
import { registerNewRevision } from '../../functions/register-task-definition/register-task-definition.js';
import { resolveImage } from '../../functions/resolve-image/resolve-image.js';
import { preparedDeployment, WEB_TARGET } from '../helpers/targets.js';

const ecrMock = mockClient(ECRClient);
const ecsMock = mockClient(ECSClient);
const DIGEST = `sha256:${'c'.repeat(64)}`;
const REPO = WEB_TARGET.repositoryUri;
const deployment = preparedDeployment({ imageTag: 'v2' });

beforeEach(() => {
  ecrMock.reset();
  ecsMock.reset();
});

describe('resolve-image', () => {
  const ecr = () => ({ ecr: new ECRClient({ region: 'us-east-1' }), now: () => 42 });

  it('resolves a tag to its digest and pins the image URI by digest', async () => {
    ecrMock.on(DescribeImagesCommand, { repositoryName: 'web', imageIds: [{ imageTag: 'v2' }] }).resolves({
      imageDetails: [{ imageDigest: DIGEST }],
    });
    await expect(resolveImage({ deployment }, ecr())).resolves.toEqual({
      imageDigest: DIGEST,
      imageUri: `${REPO}@${DIGEST}`,
      imageTag: 'v2',
      resolvedAt: 42,
    });
  });

  it('uses the digest a build exported, and checks the repository holds it', async () => {
    ecrMock
      .on(DescribeImagesCommand, { imageIds: [{ imageDigest: DIGEST }] })
      .resolves({ imageDetails: [{ imageDigest: DIGEST }] });
    const build = { buildId: 'b:1', exportedVariables: [{ Name: 'IMAGE_DIGEST', Value: DIGEST }] };
    await expect(resolveImage({ deployment, build }, ecr())).resolves.toMatchObject({ imageDigest: DIGEST });
  });

  it('fails with ImageNotFoundError when the tag is absent', async () => {
    ecrMock
      .on(DescribeImagesCommand)
      .rejects(new ImageNotFoundException({ message: 'not found', $metadata: {} }));
    const missing = resolveImage({ deployment }, ecr());
    await expect(missing).rejects.toBeInstanceOf(ImageNotFoundError);
    await expect(missing).rejects.toThrow('Image web:v2 not found in ECR repository web');
  });

  it('fails with ImageNotFoundError when a build exported no digest', async () => {
    await expect(
      resolveImage({ deployment, build: { buildId: 'b:2', exportedVariables: [] } }, ecr()),
    ).rejects.toThrow(/exported no valid IMAGE_DIGEST/);
  });
});

describe('register-task-definition', () => {
  const current: TaskDefinition = {
    taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7',
    family: 'web',
    revision: 7,
    status: 'ACTIVE',
    registeredAt: new Date(),
    registeredBy: 'arn:aws:iam::123456789012:role/deployer',
    compatibilities: ['EC2', 'FARGATE'],
    requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.logging-driver.awslogs' }],
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    cpu: '256',
    memory: '512',
    taskRoleArn: 'arn:aws:iam::123456789012:role/task',
    executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
    runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' },
    containerDefinitions: [
      {
        name: 'web',
        image: `${REPO}:v1`,
        portMappings: [{ containerPort: 3000 }],
        environment: [{ name: 'AWS_REGION', value: 'us-east-1' }],
        logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': 'web' } },
        stopTimeout: 15,
      },
      { name: 'sidecar', image: 'public.ecr.aws/x/y:1' },
    ],
  };
  const image: ResolvedImage = { imageDigest: DIGEST, imageUri: `${REPO}@${DIGEST}`, resolvedAt: 1 };

  function withCurrent(definition: TaskDefinition) {
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [{ serviceName: 'web', status: 'ACTIVE', taskDefinition: definition.taskDefinitionArn }],
    });
    ecsMock
      .on(DescribeTaskDefinitionCommand)
      .resolves({ taskDefinition: definition, tags: [{ key: 'team', value: 'web' }] });
    ecsMock.on(RegisterTaskDefinitionCommand).resolves({
      taskDefinition: { taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:8' },
    });
  }
  const register = () =>
    registerNewRevision({ deployment, image }, { ecs: new ECSClient({ region: 'us-east-1' }), now: () => 9 });

  it('clones the current definition with only the image changed, pinned by digest', async () => {
    withCurrent(current);
    await expect(register()).resolves.toEqual({
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:8',
      previousTaskDefinitionArn: current.taskDefinitionArn,
      registeredAt: 9,
    });
    const sent = ecsMock.commandCalls(RegisterTaskDefinitionCommand)[0]?.args[0].input;
    const {
      taskDefinitionArn,
      revision,
      status,
      registeredAt,
      registeredBy,
      compatibilities,
      requiresAttributes,
      ...kept
    } = current;
    expect(sent).toEqual({
      ...kept,
      containerDefinitions: [
        { ...current.containerDefinitions?.[0], image: `${REPO}@${DIGEST}` },
        current.containerDefinitions?.[1],
      ],
      tags: [{ key: 'team', value: 'web' }],
    });
  });

  it('drops the bootstrap placeholder command when replacing the stack bootstrap image', async () => {
    withCurrent({
      ...current,
      containerDefinitions: [
        {
          name: 'web',
          image: 'public.ecr.aws/docker/library/node:24-alpine',
          command: ['node', '-e', '…'],
          dockerLabels: { 'stepship.bootstrap': 'true' },
        },
      ],
    });
    await register();
    const container = ecsMock.commandCalls(RegisterTaskDefinitionCommand)[0]?.args[0].input
      .containerDefinitions?.[0];
    expect(container).toEqual({ name: 'web', image: `${REPO}@${DIGEST}` });
  });

  it('fails with TargetNotFoundError when the container is missing, registering nothing', async () => {
    withCurrent({ ...current, containerDefinitions: [{ name: 'api', image: 'x' }] });
    await expect(register()).rejects.toThrow(TargetNotFoundError);
    await expect(register()).rejects.toThrow('The task definition has no container "web" (it has: api)');
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
  });

  it('fails with TargetNotFoundError when the service does not exist', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [], failures: [{ reason: 'MISSING' }] });
    await expect(register()).rejects.toThrow('Service web not found in cluster stepship-web (MISSING)');
  });
});
