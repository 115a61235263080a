import {
  DescribeAddonCommand,
  DescribeAddonVersionsCommand,
  DescribeUpdateCommand,
  ListAddonsCommand,
  ListUpdatesCommand,
  UpdateAddonCommand,
  UpdateClusterVersionCommand,
} from '@aws-sdk/client-eks';
import { afterEach, describe, expect, it } from 'vitest';
import { loadScenario } from '../../../local/simulator/index.ts';
import { rejectionOf, startRig, type TestRig } from './support.ts';

const name = 'legacy-cluster'; // multi-hop: 1.24, vpc-cni v1.10.4, coredns v1.8.7, kube-proxy v1.24.7
let rig: TestRig;

afterEach(async () => {
  await rig.close();
});

async function describeAddon(addonName: string) {
  const { addon } = await rig.eks.send(new DescribeAddonCommand({ clusterName: name, addonName }));
  return addon;
}

function updateAddon(addonName: string, addonVersion: string, clientRequestToken?: string) {
  return rig.eks.send(
    new UpdateAddonCommand({
      clusterName: name,
      addonName,
      addonVersion,
      resolveConflicts: 'PRESERVE',
      ...(clientRequestToken ? { clientRequestToken } : {}),
    }),
  );
}

describe('add-on catalogue', () => {
  it('lists the installed add-ons and their versions', async () => {
    rig = await startRig({ scenario: 'multi-hop' });
    const { addons } = await rig.eks.send(new ListAddonsCommand({ clusterName: name }));
    expect(addons).toEqual(['vpc-cni', 'coredns', 'kube-proxy']);
    expect(await describeAddon('vpc-cni')).toMatchObject({
      addonName: 'vpc-cni',
      addonVersion: 'v1.10.4-eksbuild.1',
      status: 'ACTIVE',
      health: { issues: [] },
    });
  });

  it('lists compatible versions newest first, with one default per cluster version', async () => {
    rig = await startRig({ scenario: 'multi-hop' });
    const { addons = [] } = await rig.eks.send(
      new DescribeAddonVersionsCommand({ kubernetesVersion: '1.25', addonName: 'vpc-cni' }),
    );
    const versions = addons[0]?.addonVersions ?? [];
    expect(versions.map((v) => v.addonVersion)).toEqual([
      'v1.19.2-eksbuild.5',
      'v1.18.6-eksbuild.1',
      'v1.17.1-eksbuild.1',
      'v1.16.4-eksbuild.2',
      'v1.15.5-eksbuild.1',
      'v1.14.1-eksbuild.1',
      'v1.13.4-eksbuild.1',
      'v1.12.6-eksbuild.2',
      'v1.11.4-eksbuild.1',
      'v1.10.4-eksbuild.1',
    ]);
    const defaults = versions.filter((v) => v.compatibilities?.some((c) => c.defaultVersion));
    expect(defaults.map((v) => v.addonVersion)).toEqual(['v1.13.4-eksbuild.1']);
    expect(versions[0]?.compatibilities).toEqual([
      { clusterVersion: '1.25', platformVersions: ['*'], defaultVersion: false },
    ]);
  });

  it.each([
    ['1.24', 'v1.12.6-eksbuild.2', 'v1.9.3-eksbuild.22', 'v1.24.17-eksbuild.2'],
    ['1.27', 'v1.15.5-eksbuild.1', 'v1.10.1-eksbuild.38', 'v1.27.16-eksbuild.2'],
    ['1.30', 'v1.18.6-eksbuild.1', 'v1.11.4-eksbuild.24', 'v1.30.14-eksbuild.2'],
  ])('has a default for every add-on on %s', async (kubernetesVersion, vpcCni, coredns, kubeProxy) => {
    rig = await startRig({ scenario: 'multi-hop' });
    const { addons = [] } = await rig.eks.send(new DescribeAddonVersionsCommand({ kubernetesVersion }));
    const defaults = Object.fromEntries(
      addons.map((a) => [
        a.addonName,
        a.addonVersions?.find((v) => v.compatibilities?.[0]?.defaultVersion)?.addonVersion,
      ]),
    );
    expect(defaults).toEqual({ 'vpc-cni': vpcCni, coredns, 'kube-proxy': kubeProxy });
  });
});

describe('UpdateAddon', () => {
  it('moves an add-on through UPDATING to ACTIVE in 3 minutes, visible through DescribeUpdate and ListUpdates', async () => {
    rig = await startRig({ scenario: 'multi-hop' });
    const { update } = await updateAddon('coredns', 'v1.9.3-eksbuild.22');
    expect(update).toMatchObject({
      status: 'InProgress',
      type: 'AddonUpdate',
      params: [
        { type: 'AddonVersion', value: 'v1.9.3-eksbuild.22' },
        { type: 'ResolveConflicts', value: 'PRESERVE' },
      ],
    });
    expect((await describeAddon('coredns'))?.status).toBe('UPDATING');
    const listed = await rig.eks.send(new ListUpdatesCommand({ name, addonName: 'coredns' }));
    expect(listed.updateIds).toEqual([update?.id]);
    const cluster = await rig.eks.send(new ListUpdatesCommand({ name }));
    expect(cluster.updateIds).toEqual([]);

    rig.advanceMinutes(2);
    const during = await rig.eks.send(
      new DescribeUpdateCommand({ name, updateId: update?.id, addonName: 'coredns' }),
    );
    expect(during.update?.status).toBe('InProgress');
    rig.advanceMinutes(1);
    const after = await rig.eks.send(
      new DescribeUpdateCommand({ name, updateId: update?.id, addonName: 'coredns' }),
    );
    expect(after.update?.status).toBe('Successful');
    expect(await describeAddon('coredns')).toMatchObject({
      status: 'ACTIVE',
      addonVersion: 'v1.9.3-eksbuild.22',
    });
  });

  it('moves vpc-cni one minor version at a time, and refuses a skip', async () => {
    rig = await startRig({ scenario: 'multi-hop' });
    const skip = await rejectionOf(updateAddon('vpc-cni', 'v1.12.6-eksbuild.2'));
    expect(skip.name).toBe('InvalidParameterException');
    expect(skip.$metadata?.httpStatusCode).toBe(400);
    expect(skip.message).toBe(
      'Updating VPC-CNI can only go up or down 1 minor version at a time (from v1.10.4-eksbuild.1 to v1.12.6-eksbuild.2)',
    );
    await updateAddon('vpc-cni', 'v1.11.4-eksbuild.1');
    rig.advanceMinutes(3);
    await updateAddon('vpc-cni', 'v1.12.6-eksbuild.2');
    rig.advanceMinutes(3);
    expect((await describeAddon('vpc-cni'))?.addonVersion).toBe('v1.12.6-eksbuild.2');
    // Down by one minor is allowed too.
    await updateAddon('vpc-cni', 'v1.11.4-eksbuild.1');
    rig.advanceMinutes(3);
    expect((await describeAddon('vpc-cni'))?.addonVersion).toBe('v1.11.4-eksbuild.1');
  });

  it('lets other add-ons jump several minor versions', async () => {
    const scenario = loadScenario('multi-hop');
    const coredns = scenario.clusters[0]?.addons.find((a) => a.name === 'coredns');
    if (coredns) coredns.version = 'v1.7.0-eksbuild.1';
    rig = await startRig({ scenario });
    const { update } = await updateAddon('coredns', 'v1.9.3-eksbuild.22');
    expect(update?.status).toBe('InProgress');
  });

  it.each([
    [
      'v1.99.0-eksbuild.1',
      'Addon version specified is not supported: vpc-cni has no version v1.99.0-eksbuild.1',
    ],
    [
      'v1.20.4-eksbuild.2',
      'Addon version specified is not supported: vpc-cni v1.20.4-eksbuild.2 is not compatible with Kubernetes version 1.24',
    ],
  ])('refuses %s with InvalidParameterException', async (addonVersion, message) => {
    rig = await startRig({ scenario: 'multi-hop' });
    const error = await rejectionOf(updateAddon('vpc-cni', addonVersion));
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toBe(message);
  });

  it('refuses a second update of the same add-on while one runs (409), not of another add-on', async () => {
    rig = await startRig({ scenario: 'multi-hop' });
    const first = await updateAddon('vpc-cni', 'v1.11.4-eksbuild.1');
    const error = await rejectionOf(updateAddon('vpc-cni', 'v1.11.4-eksbuild.1'));
    expect(error.name).toBe('ResourceInUseException');
    expect(error.$metadata?.httpStatusCode).toBe(409);
    expect(error.message).toContain(first.update?.id);
    const other = await updateAddon('kube-proxy', 'v1.24.17-eksbuild.2');
    expect(other.update?.status).toBe('InProgress');
  });

  it('refuses an add-on update while the control plane is updating (409)', async () => {
    rig = await startRig({ scenario: 'multi-hop' });
    const cp = await rig.eks.send(new UpdateClusterVersionCommand({ name, version: '1.25' }));
    const error = await rejectionOf(updateAddon('coredns', 'v1.9.3-eksbuild.22'));
    expect(error.name).toBe('ResourceInUseException');
    expect(error.$metadata?.httpStatusCode).toBe(409);
    expect(error.message).toContain(cp.update?.id);
  });

  it('returns the same update for a repeated clientRequestToken', async () => {
    rig = await startRig({ scenario: 'multi-hop' });
    const first = await updateAddon('vpc-cni', 'v1.11.4-eksbuild.1', 'cni-step-1');
    rig.advanceMinutes(1);
    const again = await updateAddon('vpc-cni', 'v1.11.4-eksbuild.1', 'cni-step-1');
    expect(again.update?.id).toBe(first.update?.id);
    const { updateIds } = await rig.eks.send(new ListUpdatesCommand({ name, addonName: 'vpc-cni' }));
    expect(updateIds).toEqual([first.update?.id]);
  });

  it('leaves an add-on ACTIVE on its version when the control plane moves past its compatibility', async () => {
    rig = await startRig({ scenario: 'multi-hop' });
    await rig.eks.send(new UpdateClusterVersionCommand({ name, version: '1.25' }));
    rig.advanceMinutes(25);
    expect(await describeAddon('kube-proxy')).toMatchObject({
      status: 'ACTIVE',
      addonVersion: 'v1.24.7-eksbuild.2',
      health: { issues: [] },
    });
    const addons = rig.simulator.snapshot().clusters[0]?.addons;
    expect(addons).toEqual([
      { name: 'vpc-cni', version: 'v1.10.4-eksbuild.1', status: 'ACTIVE', compatible: true },
      { name: 'coredns', version: 'v1.8.7-eksbuild.10', status: 'ACTIVE', compatible: true },
      { name: 'kube-proxy', version: 'v1.24.7-eksbuild.2', status: 'ACTIVE', compatible: false },
    ]);
  });
});
