import {
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DescribeNodegroupCommand,
  DescribeUpdateCommand,
  UpdateClusterVersionCommand,
  UpdateNodegroupVersionCommand,
} from '@aws-sdk/client-eks';
import { afterEach, describe, expect, it } from 'vitest';
import { rejectionOf, startRig, type TestRig } from './support.ts';

const clusterName = 'ekscluster-eksctl';
const nodegroupName = 'managednodegroup';
const asgName = 'eks-managednodegroup-8ebb9a8c-6a7c-3a9a-1d2a-2bdf2e3c9a41';
let rig: TestRig;

afterEach(async () => {
  await rig.close();
});

async function describeGroup(name = asgName) {
  const { AutoScalingGroups } = await rig.autoScaling.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }),
  );
  return AutoScalingGroups?.[0];
}

async function updateStatus(updateId: string | undefined, ng = nodegroupName, cluster = clusterName) {
  const { update } = await rig.eks.send(
    new DescribeUpdateCommand({ name: cluster, updateId, nodegroupName: ng }),
  );
  return update;
}

describe('node group rolling update', () => {
  it('replaces the 3 seed nodes through surge, evict and terminate in 16 simulated minutes', async () => {
    rig = await startRig();
    const before = await describeGroup();
    const oldIds = before?.Instances?.map((i) => i.InstanceId) ?? [];
    expect(before).toMatchObject({
      MinSize: 2,
      MaxSize: 4,
      DesiredCapacity: 3,
      LaunchTemplate: { Version: '1' },
    });
    expect(oldIds).toHaveLength(3);

    const { update } = await rig.eks.send(new UpdateNodegroupVersionCommand({ clusterName, nodegroupName }));
    // Without version/release: the cluster's version and the recommended AMI for it.
    expect(update?.params).toEqual([
      { type: 'Version', value: '1.18' },
      { type: 'ReleaseVersion', value: '1.18.20-20211013' },
    ]);
    const updating = await rig.eks.send(new DescribeNodegroupCommand({ clusterName, nodegroupName }));
    expect(updating.nodegroup?.status).toBe('UPDATING');

    rig.advanceMinutes(1); // setup done: scale up by a surge of 3 (3 AZs, 3 nodes)
    const scaledUp = await describeGroup();
    expect(scaledUp).toMatchObject({ MaxSize: 7, DesiredCapacity: 6, LaunchTemplate: { Version: '2' } });
    const launched = scaledUp?.Instances?.filter((i) => i.LaunchTemplate?.Version === '2') ?? [];
    expect(launched.map((i) => i.LifecycleState)).toEqual(['Pending', 'Pending', 'Pending']);
    expect(new Set(launched.map((i) => i.AvailabilityZone))).toEqual(
      new Set(['us-east-1a', 'us-east-1b', 'us-east-1c']),
    );

    rig.advanceMinutes(14);
    expect((await updateStatus(update?.id))?.status).toBe('InProgress');
    rig.advanceMinutes(1);
    expect((await updateStatus(update?.id))?.status).toBe('Successful');

    const after = await describeGroup();
    expect(after).toMatchObject({ MaxSize: 4, DesiredCapacity: 3, LaunchTemplate: { Version: '2' } });
    expect(after?.Instances?.map((i) => [i.LifecycleState, i.LaunchTemplate?.Version])).toEqual([
      ['InService', '2'],
      ['InService', '2'],
      ['InService', '2'],
    ]);
    expect(after?.Instances?.some((i) => oldIds.includes(i.InstanceId))).toBe(false);
    const ng = await rig.eks.send(new DescribeNodegroupCommand({ clusterName, nodegroupName }));
    expect(ng.nodegroup).toMatchObject({
      status: 'ACTIVE',
      version: '1.18',
      releaseVersion: '1.18.20-20211013',
    });
    expect(rig.simulator.snapshot().clusters[0]?.nodegroups[0]).toMatchObject({
      launchTemplateVersion: 2,
      instancesReplaced: 3,
    });

    const { Activities = [] } = await rig.autoScaling.send(
      new DescribeScalingActivitiesCommand({ AutoScalingGroupName: asgName }),
    );
    expect(Activities).toHaveLength(6);
    expect(Activities.every((a) => a.StatusCode === 'Successful' && a.EndTime instanceof Date)).toBe(true);
    expect(
      Activities.filter((a) => a.Description?.startsWith('Terminating')).map((a) => a.Description),
    ).toEqual(oldIds.map((id) => `Terminating EC2 instance: ${id}`).reverse());
  });

  it('keeps the node count when there are more nodes than the surge (8 nodes, maxUnavailable 2)', async () => {
    rig = await startRig({ scenario: 'four-nodegroups' });
    const asg = 'eks-apps-5a1d7c3e-2f4b-4e6a-8c9d-0b1e2f3a4b02';
    const { update } = await rig.eks.send(
      new UpdateNodegroupVersionCommand({ clusterName: 'prod-cluster', nodegroupName: 'apps' }),
    );
    rig.advanceMinutes(120);
    expect((await updateStatus(update?.id, 'apps', 'prod-cluster'))?.status).toBe('Successful');
    const group = await describeGroup(asg);
    expect(group).toMatchObject({ MaxSize: 10, DesiredCapacity: 8 });
    expect(
      group?.Instances?.filter((i) => i.LaunchTemplate?.Version === '2' && i.LifecycleState === 'InService'),
    ).toHaveLength(8);
    expect(rig.simulator.snapshot().clusters[0]?.nodegroups[1]?.instancesReplaced).toBe(8);
  });

  it('moves a node group to the control-plane version after a control-plane update', async () => {
    rig = await startRig();
    await rig.eks.send(new UpdateClusterVersionCommand({ name: clusterName, version: '1.19' }));
    rig.advanceMinutes(25);
    const { update } = await rig.eks.send(new UpdateNodegroupVersionCommand({ clusterName, nodegroupName }));
    expect(update?.params).toEqual([
      { type: 'Version', value: '1.19' },
      { type: 'ReleaseVersion', value: '1.19.15-20211013' },
    ]);
    rig.advanceMinutes(16);
    const { nodegroup } = await rig.eks.send(new DescribeNodegroupCommand({ clusterName, nodegroupName }));
    expect(nodegroup).toMatchObject({
      version: '1.19',
      releaseVersion: '1.19.15-20211013',
      status: 'ACTIVE',
    });
  });

  it.each([
    [{ version: '1.19' }, 'newer than the cluster'],
    [
      { releaseVersion: '1.19.15-20211013' },
      'Requested release version 1.19.15-20211013 is not valid for kubernetes version 1.18.',
    ],
    [
      { releaseVersion: '1.18.1-20200101' },
      'Requested release version 1.18.1-20200101 is not valid for kubernetes version 1.18.',
    ],
    [
      { releaseVersion: '1.18.9-20210208' },
      'is already at version 1.18 with release version 1.18.9-20210208',
    ],
    [{ launchTemplate: { id: 'lt-0123', version: '2' } }, 'was not created with a launch template'],
  ])('rejects %o with InvalidParameterException', async (input, message) => {
    rig = await startRig();
    const error = await rejectionOf(
      rig.eks.send(new UpdateNodegroupVersionCommand({ clusterName, nodegroupName, ...input })),
    );
    expect(error.name).toBe('InvalidParameterException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toContain(message);
  });

  it('refuses a node group update during a control-plane update, and a second one during its own (409)', async () => {
    rig = await startRig();
    await rig.eks.send(new UpdateClusterVersionCommand({ name: clusterName, version: '1.19' }));
    const duringControlPlane = await rejectionOf(
      rig.eks.send(new UpdateNodegroupVersionCommand({ clusterName, nodegroupName })),
    );
    expect(duringControlPlane.name).toBe('ResourceInUseException');
    expect(duringControlPlane.$metadata?.httpStatusCode).toBe(409);

    rig.advanceMinutes(25);
    await rig.eks.send(new UpdateNodegroupVersionCommand({ clusterName, nodegroupName }));
    const duringOwn = await rejectionOf(
      rig.eks.send(new UpdateNodegroupVersionCommand({ clusterName, nodegroupName })),
    );
    expect(duringOwn.name).toBe('ResourceInUseException');
  });

  it('answers 404 for a node group that does not exist', async () => {
    rig = await startRig();
    const error = await rejectionOf(
      rig.eks.send(new UpdateNodegroupVersionCommand({ clusterName, nodegroupName: 'nope' })),
    );
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.$metadata?.httpStatusCode).toBe(404);
  });

  it('accepts the launch template a node group was created with, and records it in the update', async () => {
    rig = await startRig({ scenario: 'four-nodegroups' });
    const wrong = await rejectionOf(
      rig.eks.send(
        new UpdateNodegroupVersionCommand({
          clusterName: 'prod-cluster',
          nodegroupName: 'ingress',
          launchTemplate: { id: 'lt-0ffffffffffffffff', version: '4' },
        }),
      ),
    );
    expect(wrong.name).toBe('InvalidParameterException');
    const { update } = await rig.eks.send(
      new UpdateNodegroupVersionCommand({
        clusterName: 'prod-cluster',
        nodegroupName: 'ingress',
        launchTemplate: { id: 'lt-0ab12cd34ef567890', version: '4' },
      }),
    );
    expect(update?.params).toContainEqual({ type: 'LaunchTemplateVersion', value: '4' });
  });
});

describe('node group faults', () => {
  it('pdb-blocked: fails with PodEvictionFailure after 15 minutes of eviction and rolls back', async () => {
    rig = await startRig({ faults: ['pdb-blocked'] });
    const oldIds = (await describeGroup())?.Instances?.map((i) => i.InstanceId) ?? [];
    const { update } = await rig.eks.send(new UpdateNodegroupVersionCommand({ clusterName, nodegroupName }));
    rig.advanceMinutes(19);
    expect((await updateStatus(update?.id))?.status).toBe('InProgress');
    rig.advanceMinutes(1); // setup 1 + launch 4 + eviction timeout 15
    const failed = await updateStatus(update?.id);
    expect(failed?.status).toBe('Failed');
    expect(failed?.errors).toEqual([
      {
        errorCode: 'PodEvictionFailure',
        errorMessage: `Reached max retries while trying to evict pods from nodes in node group ${nodegroupName}`,
        resourceIds: [oldIds[0]],
      },
    ]);
    const { nodegroup } = await rig.eks.send(new DescribeNodegroupCommand({ clusterName, nodegroupName }));
    expect(nodegroup).toMatchObject({ status: 'ACTIVE', version: '1.18', releaseVersion: '1.18.9-20210208' });
    const group = await describeGroup();
    expect(group).toMatchObject({ MaxSize: 4, DesiredCapacity: 3, LaunchTemplate: { Version: '1' } });
    expect(group?.Instances?.map((i) => i.InstanceId)).toEqual(oldIds);
  });

  it('pdb-blocked with force: evictions are forced after the timeout and the update succeeds', async () => {
    rig = await startRig({ faults: ['pdb-blocked'] });
    const { update } = await rig.eks.send(
      new UpdateNodegroupVersionCommand({ clusterName, nodegroupName, force: true }),
    );
    rig.advanceMinutes(54);
    expect((await updateStatus(update?.id))?.status).toBe('InProgress');
    rig.advanceMinutes(1); // 1 + 4 + 3 × (15 + 1) + 2
    expect((await updateStatus(update?.id))?.status).toBe('Successful');
  });

  it('node-creation-failure: fails with NodeCreationFailure once the new nodes should have joined', async () => {
    rig = await startRig({ faults: ['node-creation-failure'] });
    const { update } = await rig.eks.send(new UpdateNodegroupVersionCommand({ clusterName, nodegroupName }));
    rig.advanceMinutes(5);
    const failed = await updateStatus(update?.id);
    expect(failed?.status).toBe('Failed');
    expect(failed?.errors?.[0]).toMatchObject({
      errorCode: 'NodeCreationFailure',
      errorMessage: 'Instances failed to join the kubernetes cluster',
    });
    expect(failed?.errors?.[0]?.resourceIds).toHaveLength(3);
    const group = await describeGroup();
    expect(group?.Instances).toHaveLength(3);
    expect(group?.LaunchTemplate?.Version).toBe('1');
  });
});

describe('Auto Scaling groups of managed node groups', () => {
  it("names a Spot group's launch template inside a MixedInstancesPolicy, an on-demand one's at the top", async () => {
    rig = await startRig({ scenario: 'four-nodegroups' });
    const spot = await describeGroup('eks-batch-spot-7c2e9a4f-6b1d-4a3c-b5e7-1d2c3b4a5f03');
    expect(spot?.LaunchTemplate).toBeUndefined();
    expect(spot?.MixedInstancesPolicy).toMatchObject({
      LaunchTemplate: {
        LaunchTemplateSpecification: { Version: expect.any(String) },
        Overrides: [{ InstanceType: 'c5.large' }],
      },
      InstancesDistribution: {
        OnDemandPercentageAboveBaseCapacity: 0,
        SpotAllocationStrategy: 'capacity-optimized',
      },
    });
    // Each instance still says which version it was launched from.
    expect(spot?.Instances?.[0]?.LaunchTemplate?.Version).toBe(
      spot?.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification?.Version,
    );
    const onDemand = await describeGroup('eks-system-3ec6a1f2-0b5d-4c1e-9f0a-7d2b5e8c1a01');
    expect(onDemand?.MixedInstancesPolicy).toBeUndefined();
    expect(onDemand?.LaunchTemplate?.Version).toEqual(expect.any(String));
  });
});
