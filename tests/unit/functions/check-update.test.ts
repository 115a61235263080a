import {
  AutoScalingClient,
  type AutoScalingGroup,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  DescribeUpdateCommand,
  EKSClient,
  type ErrorDetail,
  type UpdateStatus,
} from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { checkUpdate } from '../../../functions/check-update/check-update.ts';
import { pollCeilingSeconds, pollFloorSeconds } from '../../../functions/shared/polling.ts';
import type { UpdateProgress } from '../../../functions/shared/types.ts';

const eksMock = mockClient(EKSClient);
const asgMock = mockClient(AutoScalingClient);
const startedAt = new Date('2026-11-25T02:00:00Z');
const at = (seconds: number) => () => new Date(startedAt.getTime() + seconds * 1000);
const deps = (seconds: number) => ({
  eks: new EKSClient({ region: 'us-east-1' }),
  autoScaling: new AutoScalingClient({ region: 'us-east-1' }),
  now: at(seconds),
});

const controlPlane: UpdateProgress = {
  kind: 'controlPlane',
  clusterName: 'prod',
  target: '1.19',
  updateId: 'u-1',
  status: 'InProgress',
  adopted: false,
  expectedSeconds: 1500,
  nextWaitSeconds: 300,
  startedAt: null,
  finishedAt: null,
  polls: 0,
};
const nodegroup: UpdateProgress = {
  ...controlPlane,
  kind: 'nodegroup',
  nodegroupName: 'ng',
  updateId: 'ng-u-1',
  expectedSeconds: 960,
};

/** A node group's Auto Scaling group half-way through its roll: template version 2, one old node left of two. */
const rollingGroup: AutoScalingGroup = {
  AutoScalingGroupName: 'eks-ng-1',
  MinSize: 3,
  MaxSize: 6,
  DesiredCapacity: 6,
  DefaultCooldown: 300,
  AvailabilityZones: ['us-east-1a'],
  HealthCheckType: 'EC2',
  CreatedTime: startedAt,
  LaunchTemplate: { LaunchTemplateId: 'lt-1', Version: '2' },
  Instances: [
    {
      InstanceId: 'i-old1',
      LifecycleState: 'Terminating',
      AvailabilityZone: 'a',
      HealthStatus: 'Healthy',
      ProtectedFromScaleIn: false,
      LaunchTemplate: { Version: '1' },
    },
    {
      InstanceId: 'i-old2',
      LifecycleState: 'InService',
      AvailabilityZone: 'a',
      HealthStatus: 'Healthy',
      ProtectedFromScaleIn: false,
      LaunchTemplate: { Version: '1' },
    },
    {
      InstanceId: 'i-new1',
      LifecycleState: 'InService',
      AvailabilityZone: 'a',
      HealthStatus: 'Healthy',
      ProtectedFromScaleIn: false,
      LaunchTemplate: { Version: '2' },
    },
    {
      InstanceId: 'i-new2',
      LifecycleState: 'Pending',
      AvailabilityZone: 'a',
      HealthStatus: 'Healthy',
      ProtectedFromScaleIn: false,
      LaunchTemplate: { Version: '2' },
    },
  ],
};

function givenUpdate(status: UpdateStatus, errors: ErrorDetail[] = []) {
  eksMock.on(DescribeUpdateCommand).resolves({ update: { id: 'u-1', status, createdAt: startedAt, errors } });
}

describe('checkUpdate', () => {
  beforeEach(() => {
    eksMock.reset();
    asgMock.reset();
    eksMock.on(DescribeClusterCommand).resolves({ cluster: { status: 'ACTIVE' } });
    eksMock.on(DescribeNodegroupCommand).resolves({
      nodegroup: { status: 'UPDATING', resources: { autoScalingGroups: [{ name: 'eks-ng-1' }] } },
    });
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [rollingGroup] });
  });

  it("counts a Spot or multi-type group's instances: its template is inside the MixedInstancesPolicy", async () => {
    givenUpdate('InProgress');
    const { LaunchTemplate, ...rest } = rollingGroup;
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        {
          ...rest,
          MixedInstancesPolicy: {
            LaunchTemplate: {
              LaunchTemplateSpecification: LaunchTemplate,
              Overrides: [{ InstanceType: 'c5.large' }, { InstanceType: 'c6i.large' }],
            },
          },
        },
      ],
    });
    const rolling = { ...nodegroup, rollout: { nodes: 2, batchSize: 1 } };
    expect((await checkUpdate(rolling, deps(20 * 60))).progress).toEqual({
      updated: 2,
      total: 3,
      launching: 1,
      leaving: 1,
    });
  });

  it('waits longer the older an update in progress is, up to the ceiling', async () => {
    givenUpdate('InProgress');
    const young = await checkUpdate(controlPlane, deps(10 * 60));
    const older = await checkUpdate(controlPlane, deps(30 * 60));
    const old = await checkUpdate(controlPlane, deps(2 * 3600));
    expect(young).toMatchObject({ status: 'InProgress' });
    expect(older.nextWaitSeconds).toBeGreaterThan(young.nextWaitSeconds);
    expect(old.nextWaitSeconds).toBe(pollCeilingSeconds);
    expect(eksMock).toHaveReceivedCommandWith(DescribeUpdateCommand, { name: 'prod', updateId: 'u-1' });
  });

  it('fails as stuck, by name, an update still running at six times its long-but-normal duration', async () => {
    givenUpdate('InProgress');
    expect(await checkUpdate(controlPlane, deps(6 * 1500 - 60))).toMatchObject({ status: 'InProgress' });
    const stuck = await checkUpdate(controlPlane, deps(6 * 1500 + 60));
    expect(stuck).toMatchObject({ status: 'Failed', nextWaitSeconds: 0, failure: { error: 'UpdateStuck' } });
    expect(stuck.failure?.cause).toContain(
      'Update u-1 of the control plane of prod has been in progress for 151 min',
    );
    expect(stuck.failure?.cause).toContain('It is still running in EKS');
  });

  it('times the scale-down tail from the check before the one that saw no old node left, and keeps it', async () => {
    givenUpdate('InProgress');
    // The Auto Scaling group above: one old node left of the two, one terminating, one launching.
    const rolling = { ...nodegroup, rollout: { nodes: 2, batchSize: 1 }, nextWaitSeconds: 120 };
    const oneLeft = await checkUpdate(rolling, deps(20 * 60));
    expect(oneLeft.progress).toEqual({ updated: 2, total: 3, launching: 1, leaving: 1 });
    expect(oneLeft.tailFromSeconds).toBeUndefined();
    const replaced = ['i-new1', 'i-new2'].map((InstanceId) => ({
      InstanceId,
      LifecycleState: 'InService' as const,
      AvailabilityZone: 'a',
      HealthStatus: 'Healthy',
      ProtectedFromScaleIn: false,
      LaunchTemplate: { Version: '2' },
    }));
    asgMock
      .on(DescribeAutoScalingGroupsCommand)
      .resolves({ AutoScalingGroups: [{ ...rollingGroup, Instances: replaced }] });
    const tail = await checkUpdate(oneLeft, deps(22 * 60));
    // The previous check, 120 s before, still saw an old node: the tail began after it.
    expect(tail.tailFromSeconds).toBe(20 * 60);
    // No tail ends two minutes in: the next look is as far off as polling goes (its first look is at 9).
    expect(tail.nextWaitSeconds).toBe(pollCeilingSeconds);
    const later = await checkUpdate(tail, deps(30 * 60));
    expect(later.tailFromSeconds).toBe(20 * 60);
    expect(later.nextWaitSeconds).toBe(18);
  });

  it("names a failed settings update, with the roll's outcome, the group's own settings and the command that puts them back", async () => {
    givenUpdate('Failed', [{ errorCode: 'AccessDenied', errorMessage: 'not allowed' }]);
    const restoring: UpdateProgress = {
      ...nodegroup,
      updateId: 'cfg-2',
      rollingSettings: {
        phase: 'restore',
        own: { maxUnavailable: 1, updateStrategy: 'DEFAULT' },
        wanted: { maxUnavailable: 3, updateStrategy: 'DEFAULT' },
        roll: {
          updateId: 'ng-u-1',
          status: 'Failed',
          adopted: false,
          startedAt: null,
          finishedAt: null,
          failure: { error: 'PodEvictionFailure', cause: 'a budget held the pods' },
        },
      },
    };
    const result = await checkUpdate(restoring, deps(600));
    expect(result.failure?.error).toBe('RollingSettingsUpdateFailed');
    expect(result.failure?.cause).toContain('roll ended Failed (PodEvictionFailure: a budget held the pods)');
    expect(result.failure?.cause).toContain('AccessDenied: not allowed');
    expect(result.failure?.cause).toContain(
      'aws eks update-nodegroup-config --cluster-name prod --nodegroup-name ng --update-config maxUnavailable=1,updateStrategy=DEFAULT',
    );
  });

  it('keeps waiting while a successful update leaves the cluster UPDATING', async () => {
    givenUpdate('Successful');
    eksMock.on(DescribeClusterCommand).resolves({ cluster: { status: 'UPDATING' } });
    expect(await checkUpdate(controlPlane, deps(1500))).toMatchObject({
      status: 'InProgress',
      nextWaitSeconds: pollFloorSeconds,
    });
  });

  it('moves on from a successful update that leaves a node group DEGRADED, saying so', async () => {
    givenUpdate('Successful');
    eksMock.on(DescribeNodegroupCommand).resolves({ nodegroup: { status: 'DEGRADED' } });
    expect(await checkUpdate(nodegroup, deps(960))).toMatchObject({
      status: 'Successful',
      note: expect.stringContaining('DEGRADED'),
    });
  });

  it('fails by name when the resource is neither settling nor serving after a successful update', async () => {
    givenUpdate('Successful');
    eksMock.on(DescribeClusterCommand).resolves({ cluster: { status: 'DELETING' } });
    expect(await checkUpdate(controlPlane, deps(1500))).toMatchObject({
      status: 'Failed',
      failure: { error: 'ResourceNotActive', cause: expect.stringContaining('DELETING') },
    });
  });

  it('reports success once the update ended and the cluster is ACTIVE', async () => {
    givenUpdate('Successful');
    expect(await checkUpdate(controlPlane, deps(1500))).toMatchObject({
      status: 'Successful',
      nextWaitSeconds: 0,
    });
  });

  it('reports a node group rolling progress from its Auto Scaling group', async () => {
    givenUpdate('InProgress');
    const result = await checkUpdate(nodegroup, deps(300));
    expect(result.progress).toEqual({ updated: 2, total: 3, launching: 1, leaving: 1 });
    expect(eksMock).toHaveReceivedCommandWith(DescribeUpdateCommand, { nodegroupName: 'ng' });
    expect(asgMock).toHaveReceivedCommandWith(DescribeAutoScalingGroupsCommand, {
      AutoScalingGroupNames: ['eks-ng-1'],
    });
  });

  it('turns a failed update into the EKS error code, the resources and what to do', async () => {
    givenUpdate('Failed', [
      {
        errorCode: 'PodEvictionFailure',
        errorMessage: 'Reached max retries while trying to evict pods',
        resourceIds: ['i-old2'],
      },
    ]);
    const result = await checkUpdate(nodegroup, deps(900));
    expect(result.status).toBe('Failed');
    expect(result.failure?.error).toBe('PodEvictionFailure');
    expect(result.failure?.cause).toContain('Node group ng of cluster prod');
    expect(result.failure?.cause).toContain('i-old2');
    expect(result.failure?.cause).toContain('"force": true');
  });

  it('names a cancelled update without errors', async () => {
    givenUpdate('Cancelled');
    expect((await checkUpdate(controlPlane, deps(100))).failure?.error).toBe('UpdateCancelled');
  });
});
