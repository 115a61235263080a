import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  DescribeNodegroupCommand,
  DescribeUpdateCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateNodegroupConfigCommand,
  type UpdateNodegroupConfigCommandInput,
  UpdateNodegroupVersionCommand,
} from '@aws-sdk/client-eks';
import { afterEach, describe, expect, it } from 'vitest';
import { rejectionOf, startRig, type TestRig } from './support.ts';

let rig: TestRig;

afterEach(async () => {
  await rig.close();
});

const clusterName = 'ekscluster-eksctl';
const nodegroupName = 'managednodegroup';
const seedAsg = 'eks-managednodegroup-8ebb9a8c-6a7c-3a9a-1d2a-2bdf2e3c9a41';

async function describeUpdate(updateId: string | undefined, group = nodegroupName, name = clusterName) {
  const { update } = await rig.eks.send(new DescribeUpdateCommand({ name, updateId, nodegroupName: group }));
  return update;
}

async function liveInstances(asgName: string) {
  const { AutoScalingGroups = [] } = await rig.autoScaling.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [asgName] }),
  );
  return AutoScalingGroups[0]?.Instances ?? [];
}

describe('UpdateNodegroupConfig', () => {
  it('starts a ConfigUpdate with the params EKS names, then the node group shows the new configuration', async () => {
    rig = await startRig();
    const { update } = await rig.eks.send(
      new UpdateNodegroupConfigCommand({
        clusterName,
        nodegroupName,
        labels: { addOrUpdateLabels: { team: 'platform' }, removeLabels: ['alpha.eksctl.io/cluster-name'] },
        taints: { addOrUpdateTaints: [{ key: 'gpu', value: 'true', effect: 'NO_SCHEDULE' }] },
        scalingConfig: { maxSize: 6 },
        updateConfig: { maxUnavailablePercentage: 50, updateStrategy: 'MINIMAL' },
      }),
    );
    expect(update).toMatchObject({ type: 'ConfigUpdate', status: 'InProgress' });
    expect(update?.params).toEqual([
      { type: 'LabelsToAdd', value: '{"team":"platform"}' },
      { type: 'LabelsToRemove', value: '["alpha.eksctl.io/cluster-name"]' },
      { type: 'TaintsToAdd', value: '[{"key":"gpu","value":"true","effect":"NO_SCHEDULE"}]' },
      { type: 'MaxSize', value: '6' },
      { type: 'MaxUnavailablePercentage', value: '50' },
      { type: 'UpdateStrategy', value: 'MINIMAL' },
    ]);
    const during = await rig.eks.send(new DescribeNodegroupCommand({ clusterName, nodegroupName }));
    expect(during.nodegroup?.status).toBe('UPDATING');

    rig.advanceMinutes(2);
    expect((await describeUpdate(update?.id))?.status).toBe('Successful');
    const { nodegroup } = await rig.eks.send(new DescribeNodegroupCommand({ clusterName, nodegroupName }));
    expect(nodegroup).toMatchObject({
      status: 'ACTIVE',
      labels: { 'alpha.eksctl.io/nodegroup-name': nodegroupName, team: 'platform' },
      taints: [{ key: 'gpu', value: 'true', effect: 'NO_SCHEDULE' }],
      scalingConfig: { minSize: 2, maxSize: 6, desiredSize: 3 },
      updateConfig: { maxUnavailablePercentage: 50, updateStrategy: 'MINIMAL' },
    });
    expect(nodegroup?.labels).not.toHaveProperty('alpha.eksctl.io/cluster-name');
  });

  it('returns the same update for a repeated clientRequestToken, and is logged as mutating', async () => {
    rig = await startRig();
    const input = { clusterName, nodegroupName, scalingConfig: { maxSize: 5 }, clientRequestToken: 'cfg-1' };
    const first = await rig.eks.send(new UpdateNodegroupConfigCommand(input));
    const second = await rig.eks.send(new UpdateNodegroupConfigCommand(input));
    expect(second.update?.id).toBe(first.update?.id);
    expect(rig.simulator.requestLog.map((r) => r.mutating)).toEqual([true, true]);
  });

  it('must finish before a version update starts, and the reverse', async () => {
    rig = await startRig();
    const config = await rig.eks.send(
      new UpdateNodegroupConfigCommand({ clusterName, nodegroupName, scalingConfig: { maxSize: 5 } }),
    );
    const versionError = await rejectionOf(
      rig.eks.send(new UpdateNodegroupVersionCommand({ clusterName, nodegroupName })),
    );
    expect(versionError.name).toBe('ResourceInUseException');
    expect(versionError.$metadata?.httpStatusCode).toBe(409);
    expect(versionError.message).toContain(`update ${config.update?.id} in progress`);

    rig.advanceMinutes(2);
    const version = await rig.eks.send(new UpdateNodegroupVersionCommand({ clusterName, nodegroupName }));
    const configError = await rejectionOf(
      rig.eks.send(
        new UpdateNodegroupConfigCommand({ clusterName, nodegroupName, scalingConfig: { maxSize: 6 } }),
      ),
    );
    expect(configError.name).toBe('ResourceInUseException');
    expect(configError.message).toBe(
      `Cannot ConfigUpdate because nodegroup ${nodegroupName} currently has update ${version.update?.id} in progress`,
    );
  });

  it('terminates nodes at once when desiredSize goes down, whatever pod disruption budgets say', async () => {
    rig = await startRig({ faults: ['pdb-blocked'] });
    const { update } = await rig.eks.send(
      new UpdateNodegroupConfigCommand({
        clusterName,
        nodegroupName,
        scalingConfig: { minSize: 1, desiredSize: 1 },
      }),
    );
    rig.advanceMinutes(2);
    expect((await describeUpdate(update?.id))?.status).toBe('Successful');
    expect((await liveInstances(seedAsg)).map((i) => i.LifecycleState)).toEqual([
      'InService',
      'Terminating',
      'Terminating',
    ]);
    rig.advanceMinutes(1);
    expect(await liveInstances(seedAsg)).toHaveLength(1);
  });

  it('launches nodes when desiredSize goes up', async () => {
    rig = await startRig();
    await rig.eks.send(
      new UpdateNodegroupConfigCommand({ clusterName, nodegroupName, scalingConfig: { desiredSize: 4 } }),
    );
    rig.advanceMinutes(2);
    expect((await liveInstances(seedAsg)).map((i) => i.LifecycleState)).toEqual([
      'InService',
      'InService',
      'InService',
      'Pending',
    ]);
    rig.advanceMinutes(4);
    expect((await liveInstances(seedAsg)).every((i) => i.LifecycleState === 'InService')).toBe(true);
  });

  it.each([
    [{}, 'No changes were specified for nodegroup managednodegroup'],
    [{ updateConfig: { maxUnavailable: 0 } }, 'maxUnavailable must be between 1 and 100'],
    [
      { updateConfig: { maxUnavailablePercentage: 101 } },
      'maxUnavailablePercentage must be between 1 and 100',
    ],
    [{ updateConfig: { maxUnavailable: 2, maxUnavailablePercentage: 20 } }, 'not both'],
    [{ scalingConfig: { desiredSize: 5 } }, "Desired capacity 5 can't be greater than max size 4"],
    [{ labels: { addOrUpdateLabels: { a: '1' }, removeLabels: ['a'] } }, 'cannot be both added and removed'],
  ] satisfies Array<[Partial<UpdateNodegroupConfigCommandInput>, string]>)(
    'refuses %o with InvalidParameterException',
    async (change, message) => {
      rig = await startRig();
      const error = await rejectionOf(
        rig.eks.send(new UpdateNodegroupConfigCommand({ clusterName, nodegroupName, ...change })),
      );
      expect(error.name).toBe('InvalidParameterException');
      expect(error.$metadata?.httpStatusCode).toBe(400);
      expect(error.message).toContain(message);
    },
  );
});

describe('the rolling update after UpdateNodegroupConfig', () => {
  const appsAsg = 'eks-apps-5a1d7c3e-2f4b-4e6a-8c9d-0b1e2f3a4b02';

  async function terminatingAfter(minutes: number): Promise<number> {
    const { update } = await rig.eks.send(
      new UpdateNodegroupVersionCommand({ clusterName: 'prod-cluster', nodegroupName: 'apps' }),
    );
    expect(update?.status).toBe('InProgress');
    rig.advanceMinutes(minutes);
    return (await liveInstances(appsAsg)).filter((i) => i.LifecycleState === 'Terminating').length;
  }

  it('takes maxUnavailablePercentage of the nodes per batch', async () => {
    rig = await startRig({ scenario: 'four-nodegroups' });
    await rig.eks.send(
      new UpdateNodegroupConfigCommand({
        clusterName: 'prod-cluster',
        nodegroupName: 'apps',
        updateConfig: { maxUnavailablePercentage: 50 },
      }),
    );
    rig.advanceMinutes(2);
    // Setup 1 + launch 4 + eviction 2: the first batch is terminating at minute 7.
    expect(await terminatingAfter(7.5)).toBe(4);
  });

  it('keeps the configured maxUnavailable otherwise', async () => {
    rig = await startRig({ scenario: 'four-nodegroups' });
    expect(await terminatingAfter(7.5)).toBe(2);
  });

  it('launches no surge with the MINIMAL strategy', async () => {
    rig = await startRig();
    await rig.eks.send(
      new UpdateNodegroupConfigCommand({
        clusterName,
        nodegroupName,
        updateConfig: { updateStrategy: 'MINIMAL' },
      }),
    );
    rig.advanceMinutes(2);
    const { update } = await rig.eks.send(new UpdateNodegroupVersionCommand({ clusterName, nodegroupName }));
    rig.advanceMinutes(6);
    const { AutoScalingGroups = [] } = await rig.autoScaling.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [seedAsg] }),
    );
    expect(AutoScalingGroups[0]).toMatchObject({ MaxSize: 4, DesiredCapacity: 3 });
    expect(AutoScalingGroups[0]?.Instances?.map((i) => i.LaunchTemplate?.Version)).toEqual(['1', '1', '1']);
    rig.advanceMinutes(60);
    expect((await describeUpdate(update?.id))?.status).toBe('Successful');
    expect((await liveInstances(seedAsg)).map((i) => [i.LifecycleState, i.LaunchTemplate?.Version])).toEqual([
      ['InService', '2'],
      ['InService', '2'],
      ['InService', '2'],
    ]);
  });
});

describe('TagResource and UntagResource', () => {
  it("tag a node group by its ARN within EKS's limits, and refuse what EKS refuses by its codes", async () => {
    rig = await startRig();
    const { nodegroup } = await rig.eks.send(new DescribeNodegroupCommand({ clusterName, nodegroupName }));
    const resourceArn = nodegroup?.nodegroupArn ?? '';
    await rig.eks.send(new TagResourceCommand({ resourceArn, tags: { team: 'platform' } }));
    const tagged = await rig.eks.send(new DescribeNodegroupCommand({ clusterName, nodegroupName }));
    expect(tagged.nodegroup?.tags?.team).toBe('platform');
    await rig.eks.send(new UntagResourceCommand({ resourceArn, tagKeys: ['team', 'never-set'] }));
    const untagged = await rig.eks.send(new DescribeNodegroupCommand({ clusterName, nodegroupName }));
    expect(untagged.nodegroup?.tags?.team).toBeUndefined();

    const tooMany = Object.fromEntries(Array.from({ length: 50 }, (_, index) => [`k${index}`, 'v']));
    expect(
      await rejectionOf(rig.eks.send(new TagResourceCommand({ resourceArn, tags: tooMany }))),
    ).toMatchObject({
      name: 'BadRequestException',
    });
    expect(
      await rejectionOf(rig.eks.send(new TagResourceCommand({ resourceArn, tags: { 'aws:owner': 'me' } }))),
    ).toMatchObject({ name: 'BadRequestException' });
    expect(
      await rejectionOf(
        rig.eks.send(new UntagResourceCommand({ resourceArn, tagKeys: ['aws:cloudformation:stack-name'] })),
      ),
    ).toMatchObject({ name: 'BadRequestException' });
    expect(
      await rejectionOf(
        rig.eks.send(new TagResourceCommand({ resourceArn: `${resourceArn}-gone`, tags: { a: 'b' } })),
      ),
    ).toMatchObject({ name: 'NotFoundException' });
    expect(
      rig.simulator.requestLog.filter((request) => request.mutating).map((request) => request.operation),
    ).toEqual(expect.arrayContaining(['TagResource', 'UntagResource']));
  });
});
