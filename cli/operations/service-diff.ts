import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  DescribeImagesCommand,
  ImageNotFoundException,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import { DescribeTaskDefinitionCommand, type Service } from '@aws-sdk/client-ecs';
import {
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  TargetGroupNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { RecordStore } from '../../functions/commons/records.js';
import { BOOTSTRAP_LABEL } from '../../functions/commons/task-definition.js';
import type { ServiceModel } from '../../manifest/model.js';
import { slowSettingWarnings } from '../../orchestration/slow-settings.js';
import type { Session } from '../session.js';
import type { DeploySource } from './deploy-plan.js';
import { type Change, manifestDrift, type Running } from './manifest-drift.js';
import { describeEcsService } from './service-status.js';

/** A pre-flight check: failed ones stop a deployment before it starts; warnings only inform. */
export interface Check {
  check: string;
  ok: boolean;
  /** True for advice (slow settings): it never fails the command. */
  warning?: boolean;
  detail: string;
}

export interface ServiceDiff {
  service: string;
  taskDefinitionArn: string;
  /** What a deployment changes: it registers the running revision again with the new image. */
  deploy: Change[];
  /** Where the manifest differs from what runs; a deployment keeps what runs, the stacks change these. */
  drift: Change[];
  checks: Check[];
}

/**
 * What deploying `source` to the service would change, and whether it can
 * start — read only: nothing is registered, updated or started.
 */
export async function diffService(
  session: Session,
  model: ServiceModel,
  source: DeploySource,
): Promise<ServiceDiff> {
  const service = await describeEcsService(session, model);
  const running = await readRunning(session, model, service);
  const image = await proposedImage(session, model, source);
  const current = running.container?.image ?? '';
  const deploy: Change[] = [];
  if (image.to !== undefined && image.to !== current)
    deploy.push({ field: 'image', from: current, to: image.to });
  if (image.to !== undefined && running.container?.dockerLabels?.[BOOTSTRAP_LABEL] !== undefined)
    deploy.push({
      field: 'command',
      from: running.container.command?.join(' ') ?? '—',
      to: "(the image's own)",
    });
  return {
    service: model.name,
    taskDefinitionArn: running.definition.taskDefinitionArn ?? '',
    deploy,
    drift: manifestDrift(model, running, session.resources.loadBalancerDnsName),
    checks: [
      ...image.checks,
      ...roleChecks(running),
      ...targetGroupChecks(service, running),
      await lockCheck(session, model),
      ...slowChecks(session, model, running),
      ...(service.deploymentConfiguration?.deploymentCircuitBreaker?.enable
        ? []
        : [
            {
              check: 'circuit breaker',
              ok: true,
              warning: true,
              detail: 'off: tasks that fail to start are retried until the rollout times out',
            },
          ]),
    ],
  };
}

async function readRunning(session: Session, model: ServiceModel, service: Service): Promise<Running> {
  const { ecs, elbv2 } = session.clients;
  const { taskDefinition: definition } = await ecs.send(
    new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition }),
  );
  if (!definition)
    throw new Error(`DescribeTaskDefinition answered no task definition for ${service.taskDefinition}`);
  const container =
    definition.containerDefinitions?.find((c) => c.name === model.name) ??
    definition.containerDefinitions?.[0];
  const targetGroupArn = service.loadBalancers?.[0]?.targetGroupArn;
  if (!targetGroupArn) return { service, definition, container };
  try {
    const [groups, attributes] = await Promise.all([
      elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [targetGroupArn] })),
      elbv2.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: targetGroupArn })),
    ]);
    const delay = attributes.Attributes?.find((a) => a.Key === 'deregistration_delay.timeout_seconds')?.Value;
    return {
      service,
      definition,
      container,
      ...(groups.TargetGroups?.[0] ? { targetGroup: groups.TargetGroups[0] } : {}),
      ...(delay !== undefined ? { deregistrationDelaySeconds: Number(delay) } : {}),
    };
  } catch (err) {
    if (err instanceof TargetGroupNotFoundException) return { service, definition, container };
    throw err;
  }
}

async function proposedImage(
  session: Session,
  model: ServiceModel,
  source: DeploySource,
): Promise<{ to?: string; checks: Check[] }> {
  const { repositoryUri, repositoryName } = session.resources.services[model.name] ?? {
    repositoryUri: '',
    repositoryName: '',
  };
  if (source.kind === 'skip') return { checks: [{ check: 'image', ok: true, detail: source.reason }] };
  if (source.kind === 'source') {
    const dockerfile = model.image.kind === 'build' ? model.image.dockerfile : 'Dockerfile';
    const buildable =
      existsSync(join(source.dir, dockerfile)) ||
      (session.where.target === 'local' && existsSync(join(source.dir, 'package.json')));
    return {
      to: `(a new image built from ${source.dir})`,
      checks: [
        {
          check: 'build context',
          ok: buildable,
          detail: buildable
            ? `${source.dir} (${dockerfile})`
            : `${source.dir} has no ${dockerfile} to build${session.where.target === 'local' ? ', nor a package.json' : ''}`,
        },
      ],
    };
  }
  const id = 'imageDigest' in source ? { imageDigest: source.imageDigest } : { imageTag: source.imageTag };
  const label = id.imageDigest ? `${repositoryName}@${id.imageDigest}` : `${repositoryName}:${id.imageTag}`;
  try {
    const out = await session.clients.ecr.send(new DescribeImagesCommand({ repositoryName, imageIds: [id] }));
    const digest = out.imageDetails?.[0]?.imageDigest;
    return {
      to: `${repositoryUri}@${digest}`,
      checks: [{ check: 'image', ok: true, detail: `${label} is ${digest}` }],
    };
  } catch (err) {
    if (!(err instanceof ImageNotFoundException || err instanceof RepositoryNotFoundException)) throw err;
    return {
      checks: [{ check: 'image', ok: false, detail: `${label} is not in the repository (${err.name})` }],
    };
  }
}

/** The roles a task needs: the execution role pulls the image and writes the logs; the task role is the app's. */
function roleChecks(running: Running): Check[] {
  const { definition } = running;
  return [
    {
      check: 'execution role',
      ok: definition.executionRoleArn !== undefined,
      detail: definition.executionRoleArn ?? 'none: tasks could not pull from ECR or write their logs',
    },
    {
      check: 'task role',
      ok: true,
      ...(definition.taskRoleArn ? {} : { warning: true }),
      detail: definition.taskRoleArn ?? 'none: the app calls AWS with no credentials',
    },
  ];
}

function targetGroupChecks(service: Service, running: Running): Check[] {
  if (!service.loadBalancers?.length)
    return [
      {
        check: 'target group',
        ok: true,
        warning: true,
        detail: 'none: the service is behind no load balancer',
      },
    ];
  const group = running.targetGroup;
  if (!group)
    return [
      {
        check: 'target group',
        ok: false,
        detail: `${service.loadBalancers[0]?.targetGroupArn} does not exist: deploy the stacks again`,
      },
    ];
  const attached = (group.LoadBalancerArns ?? []).length > 0;
  return [
    {
      check: 'target group',
      ok: attached,
      detail: attached
        ? `${group.TargetGroupName} (${group.TargetType}, port ${group.Port}, health check ${group.HealthCheckPath})`
        : `${group.TargetGroupName} is attached to no load balancer listener`,
    },
  ];
}

async function lockCheck(session: Session, model: ServiceModel): Promise<Check> {
  const store = new RecordStore(session.clients.dynamodb, session.resources.recordsTable);
  const lock = await store.currentLock(model.name);
  const held = lock !== undefined && lock.expiresAt > Date.now() / 1000;
  return {
    check: 'no deployment in progress',
    ok: !held,
    detail: held ? `${lock.owner} holds the lock since ${lock.acquiredAt}` : 'the service is free to deploy',
  };
}

/** orchestration/slow-settings.ts's judgement, of the settings that run rather than the manifest's. */
function slowChecks(session: Session, model: ServiceModel, running: Running): Check[] {
  const group = running.targetGroup;
  const live: ServiceModel = {
    ...model,
    deregistrationDelaySeconds: running.deregistrationDelaySeconds ?? model.deregistrationDelaySeconds,
    healthCheck: {
      ...model.healthCheck,
      intervalSeconds: group?.HealthCheckIntervalSeconds ?? model.healthCheck.intervalSeconds,
      healthyThreshold: group?.HealthyThresholdCount ?? model.healthCheck.healthyThreshold,
    },
  };
  return slowSettingWarnings({ ...session.app, services: [live] }).map((detail) => ({
    check: 'slow setting',
    ok: true,
    warning: true,
    detail,
  }));
}
