import {
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribeUpdateCommand,
  ListUpdatesCommand,
  UpdateAddonCommand,
  UpdateClusterVersionCommand,
} from '@aws-sdk/client-eks';
import { afterEach, describe, expect, it } from 'vitest';
import { loadScenario, type Scenario } from '../../../local/simulator/index.ts';
import { parseScenario } from '../../../local/simulator/scenario.ts';
import { rejectionOf, startRig, type TestRig } from './support.ts';

const name = 'ekscluster-eksctl';
let rig: TestRig;

afterEach(async () => {
  await rig.close();
});

function seedWith(faults: unknown[]): Scenario {
  return parseScenario({ ...loadScenario('seed'), faults }, 'seed with faults');
}

describe('update-in-progress with beforeRequest', () => {
  it('starts nothing on the clock: the cluster stays free until the named request arrives', async () => {
    rig = await startRig({
      scenario: seedWith([
        { type: 'update-in-progress', cluster: name, beforeRequest: { operation: 'UpdateClusterVersion' } },
      ]),
    });
    rig.advanceMinutes(60);
    const { updateIds } = await rig.eks.send(new ListUpdatesCommand({ name }));
    expect(updateIds).toEqual([]);
  });

  it('someone else starts the same update just before the caller, who is refused with 409', async () => {
    rig = await startRig({
      scenario: seedWith([
        { type: 'update-in-progress', cluster: name, beforeRequest: { operation: 'UpdateClusterVersion' } },
      ]),
    });
    const error = await rejectionOf(rig.eks.send(new UpdateClusterVersionCommand({ name, version: '1.19' })));
    expect(error.name).toBe('ResourceInUseException');
    const [foreign] = rig.simulator.snapshot().clusters[0]?.updates ?? [];
    expect(foreign).toMatchObject({ startedBy: 'fault', status: 'InProgress' });
    expect(foreign?.params).toContainEqual({ type: 'Version', value: '1.19' });
    expect(error.message).toContain(foreign?.id);
  });

  it('waits for the given occurrence of the operation', async () => {
    rig = await startRig({
      scenario: seedWith([
        {
          type: 'update-in-progress',
          cluster: name,
          beforeRequest: { operation: 'DescribeCluster', occurrence: 2 },
        },
      ]),
    });
    await rig.eks.send(new DescribeClusterCommand({ name }));
    expect(rig.simulator.snapshot().clusters[0]?.updates).toEqual([]);
    const second = await rig.eks.send(new DescribeClusterCommand({ name }));
    // The update started before the second request was answered, so that answer already shows it.
    expect(second.cluster?.status).toBe('UPDATING');
  });
});

describe('update-fails', () => {
  it('ends the control-plane update Failed with the error code, and leaves the cluster ACTIVE on its version', async () => {
    rig = await startRig({
      scenario: seedWith([
        {
          type: 'update-fails',
          cluster: name,
          afterMinutes: 7,
          errorCode: 'IpNotAvailable',
          errorMessage: 'Not enough free IP addresses in the cluster subnets.',
        },
      ]),
    });
    const { update } = await rig.eks.send(new UpdateClusterVersionCommand({ name, version: '1.19' }));
    rig.advanceMinutes(6);
    const running = await rig.eks.send(new DescribeUpdateCommand({ name, updateId: update?.id }));
    expect(running.update?.status).toBe('InProgress');

    rig.advanceMinutes(1);
    const failed = await rig.eks.send(new DescribeUpdateCommand({ name, updateId: update?.id }));
    expect(failed.update).toMatchObject({
      status: 'Failed',
      errors: [
        {
          errorCode: 'IpNotAvailable',
          errorMessage: 'Not enough free IP addresses in the cluster subnets.',
          resourceIds: [name],
        },
      ],
    });
    rig.advanceMinutes(30);
    const { cluster } = await rig.eks.send(new DescribeClusterCommand({ name }));
    expect(cluster).toMatchObject({ status: 'ACTIVE', version: '1.18' });
  });

  it('cancels only the given occurrence; the update after it runs to its end', async () => {
    rig = await startRig({
      scenario: seedWith([{ type: 'update-fails', cluster: name, status: 'Cancelled', occurrence: 1 }]),
    });
    const first = await rig.eks.send(new UpdateClusterVersionCommand({ name, version: '1.19' }));
    rig.advanceMinutes(5);
    const cancelled = await rig.eks.send(new DescribeUpdateCommand({ name, updateId: first.update?.id }));
    expect(cancelled.update).toMatchObject({ status: 'Cancelled', errors: [] });

    const second = await rig.eks.send(new UpdateClusterVersionCommand({ name, version: '1.19' }));
    rig.advanceMinutes(25);
    const done = await rig.eks.send(new DescribeUpdateCommand({ name, updateId: second.update?.id }));
    expect(done.update?.status).toBe('Successful');
    const { cluster } = await rig.eks.send(new DescribeClusterCommand({ name }));
    expect(cluster?.version).toBe('1.19');
  });

  it('fails an add-on update, which keeps its version', async () => {
    rig = await startRig({
      scenario: seedWith([
        {
          type: 'update-fails',
          cluster: name,
          addon: 'vpc-cni',
          afterMinutes: 1,
          errorCode: 'ConfigurationConflict',
        },
      ]),
    });
    const { update } = await rig.eks.send(
      new UpdateAddonCommand({ clusterName: name, addonName: 'vpc-cni', addonVersion: 'v1.8.0-eksbuild.1' }),
    );
    rig.advanceMinutes(1);
    const failed = await rig.eks.send(
      new DescribeUpdateCommand({ name, updateId: update?.id, addonName: 'vpc-cni' }),
    );
    expect(failed.update).toMatchObject({
      status: 'Failed',
      errors: [{ errorCode: 'ConfigurationConflict', resourceIds: ['vpc-cni'] }],
    });
    const { addon } = await rig.eks.send(
      new DescribeAddonCommand({ clusterName: name, addonName: 'vpc-cni' }),
    );
    expect(addon).toMatchObject({ status: 'ACTIVE', addonVersion: 'v1.7.5-eksbuild.1' });
  });
});
