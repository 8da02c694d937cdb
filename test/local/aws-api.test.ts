import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  BatchGetBuildsCommand,
  BatchGetProjectsCommand,
  ResourceNotFoundException as BuildProjectNotFound,
  CodeBuildClient,
  CreateProjectCommand,
  StartBuildCommand,
} from '@aws-sdk/client-codebuild';
import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  ImageNotFoundException,
  PutImageCommand,
  RepositoryAlreadyExistsException,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import {
  ClientException,
  ClusterNotFoundException,
  CreateCapacityProviderCommand,
  CreateClusterCommand,
  CreateServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListClustersCommand,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  ServiceNotFoundException,
  StopTaskCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import {
  DeregisterTargetsCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
  TargetGroupNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { zipFolder } from '../../cli/source-archive.js';
import { LOCAL_CREDENTIALS, LocalCloud } from '../../local/cloud.js';
import { eventually } from '../helpers/eventually.js';
import { pushTestImage, serviceScript } from './test-images.js';

const ROOT = new URL('../../', import.meta.url).pathname;
let cloud: LocalCloud;
let config: { endpoint: string; region: string; credentials: typeof LOCAL_CREDENTIALS };

beforeAll(async () => {
  cloud = await LocalCloud.start({
    endpointPort: 0,
    loadBalancerPort: 0,
    stateDir: mkdtempSync(join(tmpdir(), 'stepship-api-')),
  });
  config = { endpoint: cloud.endpointUrl, region: cloud.region, credentials: LOCAL_CREDENTIALS };
}, 30_000);
afterAll(() => cloud.stop());

describe('ECR through the SDK', () => {
  const ecr = () => new ECRClient(config);

  it('creates and describes repositories, with the modeled errors', async () => {
    const created = await ecr().send(
      new CreateRepositoryCommand({
        repositoryName: 'api-repo',
        imageScanningConfiguration: { scanOnPush: true },
      }),
    );
    expect(created.repository?.repositoryUri).toBe(
      `${cloud.accountId}.dkr.ecr.us-east-1.amazonaws.com/api-repo`,
    );
    await expect(
      ecr().send(new CreateRepositoryCommand({ repositoryName: 'api-repo' })),
    ).rejects.toBeInstanceOf(RepositoryAlreadyExistsException);
    const described = await ecr().send(new DescribeRepositoriesCommand({ repositoryNames: ['api-repo'] }));
    expect(described.repositories?.[0]?.imageScanningConfiguration?.scanOnPush).toBe(true);
    await expect(
      ecr().send(new DescribeRepositoriesCommand({ repositoryNames: ['nope'] })),
    ).rejects.toBeInstanceOf(RepositoryNotFoundException);
  });

  it('puts, describes and gets images by tag and digest', async () => {
    const uri = pushTestImage(cloud, 'api-repo', 'v1', serviceScript('v1'));
    const digest = uri.split('@')[1];
    const manifest = await ecr().send(
      new BatchGetImageCommand({
        repositoryName: 'api-repo',
        imageIds: [{ imageTag: 'v1' }, { imageTag: 'missing' }],
      }),
    );
    expect(manifest.images?.[0]?.imageId?.imageDigest).toBe(digest);
    expect(manifest.failures?.[0]).toMatchObject({ failureCode: 'ImageNotFound' });
    const put = await ecr().send(
      new PutImageCommand({
        repositoryName: 'api-repo',
        imageManifest: manifest.images?.[0]?.imageManifest,
        imageTag: 'also-v1',
      }),
    );
    expect(put.image?.imageId?.imageDigest).toBe(digest);
    const images = await ecr().send(
      new DescribeImagesCommand({ repositoryName: 'api-repo', imageIds: [{ imageDigest: digest }] }),
    );
    expect(images.imageDetails?.[0]?.imageTags?.sort()).toEqual(['also-v1', 'v1']);
    await expect(
      ecr().send(new DescribeImagesCommand({ repositoryName: 'api-repo', imageIds: [{ imageTag: 'nope' }] })),
    ).rejects.toBeInstanceOf(ImageNotFoundException);
    const token = await ecr().send(new GetAuthorizationTokenCommand({}));
    expect(Buffer.from(token.authorizationData?.[0]?.authorizationToken ?? '', 'base64').toString()).toMatch(
      /^AWS:/,
    );
  });
});

describe('ECS through the SDK', () => {
  const ecs = () => new ECSClient(config);

  it('manages clusters, task definitions, services and tasks', async () => {
    await ecs().send(new CreateClusterCommand({ clusterName: 'api' }));
    expect((await ecs().send(new ListClustersCommand({}))).clusterArns).toContain(
      `arn:aws:ecs:us-east-1:${cloud.accountId}:cluster/api`,
    );
    const clusters = await ecs().send(new DescribeClustersCommand({ clusters: ['api', 'ghost'] }));
    expect(clusters.clusters?.map((c) => c.clusterName)).toEqual(['api']);
    expect(clusters.failures?.[0]).toMatchObject({ reason: 'MISSING' });

    const image = pushTestImage(cloud, 'api-repo', 'v2', serviceScript('v2'));
    const registered = await ecs().send(
      new RegisterTaskDefinitionCommand({
        family: 'api',
        containerDefinitions: [
          { name: 'app', image, portMappings: [{ containerPort: 3000 }], stopTimeout: 2 },
        ],
      }),
    );
    expect(registered.taskDefinition).toMatchObject({ family: 'api', revision: 1, status: 'ACTIVE' });
    await expect(
      ecs().send(new RegisterTaskDefinitionCommand({ family: 'api', containerDefinitions: [] })),
    ).rejects.toBeInstanceOf(ClientException);
    expect(
      (await ecs().send(new DescribeTaskDefinitionCommand({ taskDefinition: 'api:1' }))).taskDefinition
        ?.containerDefinitions?.[0]?.image,
    ).toBe(image);
    await expect(ecs().send(new DescribeTaskDefinitionCommand({ taskDefinition: 'api:9' }))).rejects.toThrow(
      'Unable to describe task definition.',
    );
    expect(
      (await ecs().send(new ListTaskDefinitionsCommand({ familyPrefix: 'api' }))).taskDefinitionArns,
    ).toEqual([registered.taskDefinition?.taskDefinitionArn]);

    await expect(
      ecs().send(new CreateServiceCommand({ cluster: 'ghost', serviceName: 'x', taskDefinition: 'api' })),
    ).rejects.toBeInstanceOf(ClusterNotFoundException);
    const created = await ecs().send(
      new CreateServiceCommand({
        cluster: 'api',
        serviceName: 'api',
        taskDefinition: 'api',
        desiredCount: 1,
        launchType: 'FARGATE',
      }),
    );
    expect(created.service?.deployments?.[0]).toMatchObject({
      status: 'PRIMARY',
      rolloutState: 'IN_PROGRESS',
      id: expect.stringMatching(/^ecs-svc\/\d+$/),
    });
    expect((await ecs().send(new ListServicesCommand({ cluster: 'api' }))).serviceArns).toHaveLength(1);
    const running = await eventually('the service to complete its deployment', async () => {
      const d = (await ecs().send(new DescribeServicesCommand({ cluster: 'api', services: ['api'] })))
        .services?.[0]?.deployments?.[0];
      return d?.rolloutState === 'COMPLETED' ? d : undefined;
    });
    expect(running.runningCount).toBe(1);
    const missing = await ecs().send(new DescribeServicesCommand({ cluster: 'api', services: ['ghost'] }));
    expect(missing.failures?.[0]?.reason).toBe('MISSING');
    await expect(
      ecs().send(new UpdateServiceCommand({ cluster: 'api', service: 'ghost', desiredCount: 1 })),
    ).rejects.toBeInstanceOf(ServiceNotFoundException);

    const [taskArn] =
      (await ecs().send(new ListTasksCommand({ cluster: 'api', serviceName: 'api' }))).taskArns ?? [];
    const task = (await ecs().send(new DescribeTasksCommand({ cluster: 'api', tasks: [taskArn ?? ''] })))
      .tasks?.[0];
    expect(task).toMatchObject({
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      launchType: 'FARGATE',
      startedBy: running.id,
    });
    const stopped = await ecs().send(
      new StopTaskCommand({ cluster: 'api', task: taskArn, reason: 'testing StopTask' }),
    );
    expect(stopped.task?.desiredStatus).toBe('STOPPED');
    const after = await eventually('the task to stop', async () => {
      const t = (await ecs().send(new DescribeTasksCommand({ cluster: 'api', tasks: [taskArn ?? ''] })))
        .tasks?.[0];
      return t?.lastStatus === 'STOPPED' ? t : undefined;
    });
    expect(after).toMatchObject({
      stoppedReason: 'testing StopTask',
      stopCode: 'UserInitiated',
      containers: [expect.objectContaining({ exitCode: 0 })],
    });
    // The scheduler replaces the stopped task.
    await eventually('the replacement task', async () =>
      (await ecs().send(new ListTasksCommand({ cluster: 'api', serviceName: 'api' }))).taskArns?.length === 1
        ? true
        : undefined,
    );

    await ecs().send(new UpdateServiceCommand({ cluster: 'api', service: 'api', desiredCount: 0 }));
    const deregistered = await ecs().send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'api:1' }));
    expect(deregistered.taskDefinition?.status).toBe('INACTIVE');
  }, 60_000);

  it('answers an operation it does not implement with a clear error, never a silent success', async () => {
    await expect(
      ecs().send(
        new CreateCapacityProviderCommand({
          name: 'x',
          autoScalingGroupProvider: { autoScalingGroupArn: 'arn' },
        }),
      ),
    ).rejects.toThrow(/does not implement ECS CreateCapacityProvider/);
  });
});

describe('ELBv2 through the SDK (awsQuery)', () => {
  const elb = () => new ElasticLoadBalancingV2Client(config);

  it('describes load balancers, listeners, target groups and target health, and registers targets', async () => {
    const group = cloud.elbv2.createTargetGroup(cloud.scope, {
      Name: 'api-tg',
      Port: 3000,
      TargetType: 'ip',
      HealthCheckPath: '/',
      HealthCheckIntervalSeconds: 5,
      HealthCheckTimeoutSeconds: 2,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 2,
      DeregistrationDelaySeconds: 1,
    }).group;
    const lb = await cloud.elbv2.createLoadBalancer(cloud.scope, { Name: 'api-lb' });
    cloud.elbv2.createListener(cloud.scope, {
      LoadBalancerArn: lb.arn,
      Port: 8443,
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'forward', TargetGroupArn: group.arn }],
    });
    expect(
      (await elb().send(new DescribeLoadBalancersCommand({ Names: ['api-lb'] }))).LoadBalancers?.[0],
    ).toMatchObject({ LoadBalancerArn: lb.arn, Scheme: 'internet-facing', State: { Code: 'active' } });
    expect(
      (await elb().send(new DescribeListenersCommand({ LoadBalancerArn: lb.arn }))).Listeners?.[0],
    ).toMatchObject({ Port: 8443, DefaultActions: [{ Type: 'forward', TargetGroupArn: group.arn }] });
    expect(
      (await elb().send(new DescribeTargetGroupsCommand({ TargetGroupArns: [group.arn] }))).TargetGroups?.[0],
    ).toMatchObject({
      HealthCheckPath: '/',
      TargetType: 'ip',
      HealthyThresholdCount: 2,
      Matcher: { HttpCode: '200' },
    });
    await elb().send(
      new RegisterTargetsCommand({ TargetGroupArn: group.arn, Targets: [{ Id: '127.0.251.2', Port: 3000 }] }),
    );
    const health = await elb().send(new DescribeTargetHealthCommand({ TargetGroupArn: group.arn }));
    expect(health.TargetHealthDescriptions?.[0]).toMatchObject({
      Target: { Id: '127.0.251.2', Port: 3000 },
      TargetHealth: { State: 'initial' },
    });
    await elb().send(
      new DeregisterTargetsCommand({
        TargetGroupArn: group.arn,
        Targets: [{ Id: '127.0.251.2', Port: 3000 }],
      }),
    );
    expect(
      (await elb().send(new DescribeTargetHealthCommand({ TargetGroupArn: group.arn })))
        .TargetHealthDescriptions?.[0]?.TargetHealth,
    ).toMatchObject({ State: 'draining', Reason: 'Target.DeregistrationInProgress' });
    await expect(
      elb().send(
        new DescribeTargetHealthCommand({
          TargetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:0:targetgroup/x/y',
        }),
      ),
    ).rejects.toBeInstanceOf(TargetGroupNotFoundException);
  });
});

describe('CodeBuild through the SDK', () => {
  const codebuild = () => new CodeBuildClient(config);

  async function finished(id: string) {
    return eventually(
      `build ${id} to complete`,
      async () => {
        const build = (await codebuild().send(new BatchGetBuildsCommand({ ids: [id] }))).builds?.[0];
        return build?.buildComplete ? build : undefined;
      },
      60_000,
    );
  }

  it('runs the buildspec on a zipped source: phases, logs and the exported digest of the pushed image', async () => {
    cloud.s3.createBucket('sources');
    await new S3Client({ ...config, forcePathStyle: true }).send(
      new PutObjectCommand({ Bucket: 'sources', Key: 'web.zip', Body: zipFolder(join(ROOT, 'service')) }),
    );
    cloud.ecr.createRepository('built');
    await codebuild().send(
      new CreateProjectCommand({
        name: 'build',
        source: {
          type: 'S3',
          location: 'sources/web.zip',
          buildspec: readFileSync(join(ROOT, 'buildspec/buildspec.yml'), 'utf8'),
        },
        artifacts: { type: 'NO_ARTIFACTS' },
        environment: {
          type: 'LINUX_CONTAINER',
          image: 'aws/codebuild/standard:7.0',
          computeType: 'BUILD_GENERAL1_SMALL',
          environmentVariables: [{ name: 'REPOSITORY_URI', value: `${cloud.ecr.registry}/built` }],
        },
        serviceRole: 'arn:aws:iam::000000000000:role/build',
      }),
    );
    expect(
      (await codebuild().send(new BatchGetProjectsCommand({ names: ['build', 'ghost'] }))).projectsNotFound,
    ).toEqual(['ghost']);
    const started = await codebuild().send(
      new StartBuildCommand({
        projectName: 'build',
        environmentVariablesOverride: [{ name: 'IMAGE_TAG', value: 'v1', type: 'PLAINTEXT' }],
      }),
    );
    const build = await finished(started.build?.id ?? '');
    expect(build.buildStatus).toBe('SUCCEEDED');
    expect(build.phases?.map((p) => p.phaseType)).toEqual([
      'SUBMITTED',
      'QUEUED',
      'PROVISIONING',
      'DOWNLOAD_SOURCE',
      'INSTALL',
      'PRE_BUILD',
      'BUILD',
      'POST_BUILD',
      'UPLOAD_ARTIFACTS',
      'FINALIZING',
      'COMPLETED',
    ]);
    const digest = build.exportedEnvironmentVariables?.find((v) => v.name === 'IMAGE_DIGEST')?.value;
    const image = await new ECRClient(config).send(
      new DescribeImagesCommand({ repositoryName: 'built', imageIds: [{ imageTag: 'v1' }] }),
    );
    expect(image.imageDetails?.[0]?.imageDigest).toBe(digest);
    const logs = await new CloudWatchLogsClient(config).send(
      new GetLogEventsCommand({ logGroupName: build.logs?.groupName, logStreamName: build.logs?.streamName }),
    );
    expect(logs.events?.map((e) => e.message).join('\n')).toContain(
      `Pushed ${cloud.ecr.registry}/built:v1 as ${digest}`,
    );
  }, 60_000);

  it('fails in PRE_BUILD, as the buildspec says, when IMAGE_TAG is missing', async () => {
    const started = await codebuild().send(new StartBuildCommand({ projectName: 'build' }));
    const build = await finished(started.build?.id ?? '');
    expect(build.buildStatus).toBe('FAILED');
    const failed = build.phases?.find((p) => p.phaseStatus === 'FAILED');
    expect(failed?.phaseType).toBe('PRE_BUILD');
    const logs = await new CloudWatchLogsClient(config).send(
      new GetLogEventsCommand({ logGroupName: build.logs?.groupName, logStreamName: build.logs?.streamName }),
    );
    expect(logs.events?.map((e) => e.message).join('\n')).toContain(
      'required environment variable(s) not set: IMAGE_TAG',
    );
    await expect(codebuild().send(new StartBuildCommand({ projectName: 'ghost' }))).rejects.toBeInstanceOf(
      BuildProjectNotFound,
    );
  }, 60_000);
});
