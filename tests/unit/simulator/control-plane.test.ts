import {
  DescribeClusterCommand,
  DescribeUpdateCommand,
  ListUpdatesCommand,
  UpdateClusterVersionCommand,
  UpdateNodegroupVersionCommand,
} from '@aws-sdk/client-eks';
import { afterEach, describe, expect, it } from 'vitest';
import { rejectionOf, startRig, type TestRig } from './support.ts';

const name = 'ekscluster-eksctl';
let rig: TestRig;

afterEach(async () => {
  await rig.close();
});

async function upgradeControlPlane(version: string): Promise<void> {
  await rig.eks.send(new UpdateClusterVersionCommand({ name, version }));
  rig.advanceMinutes(25);
}

describe('control-plane version update', () => {
  it('moves the cluster ACTIVE -> UPDATING -> ACTIVE over 25 simulated minutes', async () => {
    rig = await startRig();
    const { update } = await rig.eks.send(new UpdateClusterVersionCommand({ name, version: '1.19' }));
    expect(update).toMatchObject({
      status: 'InProgress',
      type: 'VersionUpdate',
      params: [
        { type: 'Version', value: '1.19' },
        { type: 'PlatformVersion', value: 'eks.11' },
      ],
      errors: [],
    });
    expect(update?.createdAt).toEqual(new Date(rig.start));

    rig.advanceMinutes(24);
    const during = await rig.eks.send(new DescribeClusterCommand({ name }));
    expect(during.cluster).toMatchObject({ status: 'UPDATING', version: '1.18', platformVersion: 'eks.3' });

    rig.advanceMinutes(1);
    const after = await rig.eks.send(new DescribeClusterCommand({ name }));
    expect(after.cluster).toMatchObject({ status: 'ACTIVE', version: '1.19', platformVersion: 'eks.11' });
    const described = await rig.eks.send(new DescribeUpdateCommand({ name, updateId: update?.id }));
    expect(described.update?.status).toBe('Successful');
    const [record] = rig.simulator.snapshot().clusters[0]?.updates ?? [];
    expect(record).toMatchObject({
      startedBy: 'client',
      createdAt: rig.start,
      endedAt: rig.start + 25 * 60_000,
    });
  });

  it.each([
    ['1.20', 'Unsupported Kubernetes minor version update from 1.18 to 1.20'],
    ['1.18', 'Unsupported Kubernetes minor version update from 1.18 to 1.18'],
    ['1.17', 'unsupported Kubernetes version'],
    ['1.99', 'unsupported Kubernetes version'],
    ['banana', 'unsupported Kubernetes version'],
  ])('rejects version %s with InvalidParameterException', async (version, message) => {
    rig = await startRig();
    const error = await rejectionOf(rig.eks.send(new UpdateClusterVersionCommand({ name, version })));
    expect(error.name).toBe('InvalidParameterException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toBe(message);
  });

  it('answers 404 ResourceNotFoundException for a cluster that does not exist', async () => {
    rig = await startRig();
    const error = await rejectionOf(
      rig.eks.send(new UpdateClusterVersionCommand({ name: 'nope', version: '1.19' })),
    );
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.$metadata?.httpStatusCode).toBe(404);
    expect(error.message).toBe('No cluster found for name: nope.');
  });

  it('refuses a second update while one is in progress, naming it (409)', async () => {
    rig = await startRig();
    const first = await rig.eks.send(new UpdateClusterVersionCommand({ name, version: '1.19' }));
    const error = await rejectionOf(rig.eks.send(new UpdateClusterVersionCommand({ name, version: '1.19' })));
    expect(error.name).toBe('ResourceInUseException');
    expect(error.$metadata?.httpStatusCode).toBe(409);
    expect(error.message).toBe(
      `Cannot VersionUpdate because cluster ${name} currently has update ${first.update?.id} in progress`,
    );
  });

  it('refuses a control-plane update while a node group update is in progress', async () => {
    rig = await startRig();
    const ngUpdate = await rig.eks.send(
      new UpdateNodegroupVersionCommand({ clusterName: name, nodegroupName: 'managednodegroup' }),
    );
    const error = await rejectionOf(rig.eks.send(new UpdateClusterVersionCommand({ name, version: '1.19' })));
    expect(error.name).toBe('ResourceInUseException');
    expect(error.message).toContain(ngUpdate.update?.id);
  });

  it('returns the same update for a repeated clientRequestToken', async () => {
    rig = await startRig();
    const token = 'upgrade-to-1.19';
    const first = await rig.eks.send(
      new UpdateClusterVersionCommand({ name, version: '1.19', clientRequestToken: token }),
    );
    rig.advanceMinutes(3);
    const again = await rig.eks.send(
      new UpdateClusterVersionCommand({ name, version: '1.19', clientRequestToken: token }),
    );
    expect(again.update?.id).toBe(first.update?.id);
    const { updateIds } = await rig.eks.send(new ListUpdatesCommand({ name }));
    expect(updateIds).toEqual([first.update?.id]);
  });

  it('lets the control plane run 2 minors ahead of a 1.18 kubelet, not 3', async () => {
    rig = await startRig();
    await upgradeControlPlane('1.19');
    await upgradeControlPlane('1.20');
    const error = await rejectionOf(rig.eks.send(new UpdateClusterVersionCommand({ name, version: '1.21' })));
    expect(error.name).toBe('InvalidParameterException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toBe(
      'Nodegroups managednodegroup must be updated to match cluster version 1.20 before updating cluster version',
    );
  });

  it('names only the node groups that would fall out of skew', async () => {
    rig = await startRig({ scenario: 'multi-hop' });
    await rig.eks.send(new UpdateClusterVersionCommand({ name: 'legacy-cluster', version: '1.25' }));
    rig.advanceMinutes(25);
    const error = await rejectionOf(
      rig.eks.send(new UpdateClusterVersionCommand({ name: 'legacy-cluster', version: '1.26' })),
    );
    expect(error.message).toBe(
      'Nodegroups ng-123 must be updated to match cluster version 1.25 before updating cluster version',
    );
  });
});

describe('control-plane faults', () => {
  it('update-in-progress: an update started by someone else is already running at time 0', async () => {
    rig = await startRig({ faults: ['update-in-progress'] });
    const { updateIds } = await rig.eks.send(new ListUpdatesCommand({ name }));
    expect(updateIds).toHaveLength(1);
    const foreign = await rig.eks.send(new DescribeUpdateCommand({ name, updateId: updateIds?.[0] }));
    expect(foreign.update).toMatchObject({
      status: 'InProgress',
      params: [{ type: 'Version', value: '1.19' }, {}],
    });
    const error = await rejectionOf(rig.eks.send(new UpdateClusterVersionCommand({ name, version: '1.19' })));
    expect(error.name).toBe('ResourceInUseException');
    expect(error.message).toContain(updateIds?.[0]);
    expect(rig.simulator.snapshot().clusters[0]?.updates[0]?.startedBy).toBe('fault');

    rig.advanceMinutes(25);
    const cluster = await rig.eks.send(new DescribeClusterCommand({ name }));
    expect(cluster.cluster).toMatchObject({ status: 'ACTIVE', version: '1.19' });
  });

  it('cluster-deleted: the cluster goes DELETING at 600 s, cancels its updates, then disappears', async () => {
    rig = await startRig({ faults: ['cluster-deleted'] });
    const { update } = await rig.eks.send(new UpdateClusterVersionCommand({ name, version: '1.19' }));
    rig.advanceMinutes(10);
    const deleting = await rig.eks.send(new DescribeClusterCommand({ name }));
    expect(deleting.cluster?.status).toBe('DELETING');
    const cancelled = await rig.eks.send(new DescribeUpdateCommand({ name, updateId: update?.id }));
    expect(cancelled.update?.status).toBe('Cancelled');

    rig.advanceMinutes(10);
    const error = await rejectionOf(rig.eks.send(new DescribeClusterCommand({ name })));
    expect(error.name).toBe('ResourceNotFoundException');
    expect(rig.simulator.snapshot().clusters[0]?.status).toBe('DELETED');
  });
});
