import {
  ApplicationAutoScalingClient,
  DeleteScalingPolicyCommand,
  DeregisterScalableTargetCommand,
  DescribeScalableTargetsCommand,
  DescribeScalingActivitiesCommand,
  DescribeScalingPoliciesCommand,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { expect } from '@jest/globals';
import { caseBuilders } from '../case-builders.js';
import { type ClientClass, type SdkClient, type ServiceCatalogue, tableOperations } from '../suite.js';

const CLUSTER = 'conf-scaling';
/** Services with a scalable target each (so targets can be paged), and one without. */
const SCALED = ['conf-a', 'conf-b', 'conf-c'];
const resource = (service: string) => `service/${CLUSTER}/${service}`;
const DIMENSION = 'ecs:service:DesiredCount' as const;
const target = (service: string) => ({
  ServiceNamespace: 'ecs' as const,
  ResourceId: resource(service),
  ScalableDimension: DIMENSION,
});
const cpuPolicy = (service: string, name: string) => ({
  ...target(service),
  PolicyName: name,
  PolicyType: 'TargetTrackingScaling' as const,
  TargetTrackingScalingPolicyConfiguration: {
    TargetValue: 60,
    PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' as const },
    ScaleInCooldown: 120,
    ScaleOutCooldown: 30,
  },
});

const { fails, ok, paginates } = caseBuilders<Record<string, never>>();

export const applicationAutoScaling: ServiceCatalogue<Record<string, never>> = {
  model: 'application-autoscaling',
  client: ApplicationAutoScalingClient as unknown as ClientClass,
  emulated: (cloud) => tableOperations(cloud.autoscaling.api),

  async setup({ prepare, clientOf }) {
    const ecs = clientOf(ECSClient as unknown as ClientClass) as SdkClient;
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'conf-scaled',
        containerDefinitions: [
          { name: 'web', image: 'conf-web:v1', portMappings: [{ containerPort: 3000 }] },
        ],
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
      }),
    );
    // No tasks: the scaling API is what is checked here, not the tasks it would start.
    for (const service of [...SCALED, 'conf-unscaled'])
      await ecs.send(
        new CreateServiceCommand({
          cluster: CLUSTER,
          serviceName: service,
          taskDefinition: 'conf-scaled',
          desiredCount: 0,
        }),
      );
    for (const service of SCALED)
      await prepare(RegisterScalableTargetCommand, { ...target(service), MinCapacity: 0, MaxCapacity: 4 });
    // Services running above what their target allows: registering scales each in, an activity each.
    for (const service of ['conf-d1', 'conf-d2', 'conf-d3']) {
      await ecs.send(
        new CreateServiceCommand({
          cluster: CLUSTER,
          serviceName: service,
          taskDefinition: 'conf-scaled',
          desiredCount: 1,
        }),
      );
      await prepare(RegisterScalableTargetCommand, { ...target(service), MinCapacity: 0, MaxCapacity: 0 });
    }
    for (const name of ['cpu-1', 'cpu-2', 'cpu-3'])
      await prepare(PutScalingPolicyCommand, cpuPolicy('conf-a', name));
    return {};
  },

  cases: [
    ok(
      RegisterScalableTargetCommand,
      'registers an ECS service',
      { ...target('conf-unscaled'), MinCapacity: 0, MaxCapacity: 3 },
      (out) =>
        expect(out.ScalableTargetARN).toMatch(
          /^arn:aws:application-autoscaling:us-east-1:\d{12}:scalable-target\//,
        ),
    ),
    ok(RegisterScalableTargetCommand, 'updates a registered target by its capacities alone', {
      ...target('conf-b'),
      MaxCapacity: 6,
    }),
    fails(
      RegisterScalableTargetCommand,
      'a minimum above the maximum',
      { ...target('conf-c'), MinCapacity: 5, MaxCapacity: 2 },
      'ValidationException',
    ),
    fails(
      RegisterScalableTargetCommand,
      'a new target without capacities',
      target('conf-absent'),
      'ValidationException',
    ),
    fails(
      RegisterScalableTargetCommand,
      'a service that does not exist',
      { ...target('conf-absent'), MinCapacity: 1, MaxCapacity: 2 },
      'ValidationException',
    ),
    fails(
      RegisterScalableTargetCommand,
      'a namespace the model does not name',
      { ...target('conf-a'), ServiceNamespace: 'nonsense' as never },
      'ValidationException',
    ),
    ok(
      DescribeScalableTargetsCommand,
      'describes one target with every member AWS returns',
      { ServiceNamespace: 'ecs', ResourceIds: [resource('conf-a')] },
      (out) => {
        expect(out.ScalableTargets).toHaveLength(1);
        expect(out.ScalableTargets?.[0]).toMatchObject({
          ...target('conf-a'),
          MinCapacity: 0,
          MaxCapacity: 4,
          SuspendedState: {},
        });
        expect(out.ScalableTargets?.[0]?.CreationTime).toBeInstanceOf(Date);
        expect(out.ScalableTargets?.[0]?.RoleARN).toContain(
          'AWSServiceRoleForApplicationAutoScaling_ECSService',
        );
      },
    ),
    fails(
      DescribeScalableTargetsCommand,
      'without the required namespace',
      {} as never,
      'ValidationException',
    ),
    ...paginates(DescribeScalableTargetsCommand, { ServiceNamespace: 'ecs' }),
    ok(PutScalingPolicyCommand, 'puts a target tracking policy', cpuPolicy('conf-b', 'cpu'), (out) => {
      expect(out.PolicyARN).toMatch(/^arn:aws:autoscaling:us-east-1:\d{12}:scalingPolicy:/);
      expect(out.Alarms).toHaveLength(2);
    }),
    fails(
      PutScalingPolicyCommand,
      'a policy on an unregistered target',
      cpuPolicy('conf-never', 'x'),
      'ObjectNotFoundException',
    ),
    fails(
      PutScalingPolicyCommand,
      'a target tracking policy without its configuration',
      { ...target('conf-a'), PolicyName: 'bare', PolicyType: 'TargetTrackingScaling' },
      'ValidationException',
    ),
    ok(
      DescribeScalingPoliciesCommand,
      'describes policies of one target',
      { ServiceNamespace: 'ecs', ResourceId: resource('conf-a'), PolicyNames: ['cpu-2'] },
      (out) => {
        expect(out.ScalingPolicies).toHaveLength(1);
        expect(out.ScalingPolicies?.[0]).toMatchObject({
          PolicyName: 'cpu-2',
          PolicyType: 'TargetTrackingScaling',
        });
        expect(out.ScalingPolicies?.[0]?.CreationTime).toBeInstanceOf(Date);
      },
    ),
    fails(
      DescribeScalingPoliciesCommand,
      'a token from no listing',
      { ServiceNamespace: 'ecs', NextToken: 'forged' },
      'InvalidNextTokenException',
    ),
    ...paginates(DescribeScalingPoliciesCommand, { ServiceNamespace: 'ecs', ResourceId: resource('conf-a') }),
    ok(
      DescribeScalingActivitiesCommand,
      'describes activities (none yet for an idle service)',
      { ServiceNamespace: 'ecs', ResourceId: resource('conf-c') },
      (out) => expect(out.ScalingActivities).toEqual([]),
    ),
    ok(
      DescribeScalingActivitiesCommand,
      'describes the activity of registering below the running count',
      { ServiceNamespace: 'ecs', ResourceId: resource('conf-d1') },
      (out) => {
        expect(out.ScalingActivities).toHaveLength(1);
        expect(out.ScalingActivities?.[0]).toMatchObject({
          Description: 'Setting desired count to 0.',
          StatusCode: 'Successful',
        });
      },
    ),
    ...paginates(DescribeScalingActivitiesCommand, { ServiceNamespace: 'ecs' }),
    fails(
      DescribeScalingActivitiesCommand,
      'a page size above 50',
      { ServiceNamespace: 'ecs', MaxResults: 51 },
      'ValidationException',
    ),
    ok(DeleteScalingPolicyCommand, 'deletes a policy', { ...target('conf-a'), PolicyName: 'cpu-3' }),
    fails(
      DeleteScalingPolicyCommand,
      'a policy that does not exist',
      { ...target('conf-a'), PolicyName: 'absent' },
      'ObjectNotFoundException',
    ),
    ok(DeregisterScalableTargetCommand, 'deregisters a target', target('conf-c')),
    fails(
      DeregisterScalableTargetCommand,
      'a target that is not registered',
      target('conf-unscaled-never'),
      'ObjectNotFoundException',
    ),
  ],
};
