import {
  DescribeAddonCommand,
  DescribeAddonVersionsCommand,
  DescribeClusterCommand,
  DescribeClusterVersionsCommand,
  DescribeNodegroupCommand,
  ListAddonsCommand,
  ListNodegroupsCommand,
  UpdateAddonCommand,
  UpdateClusterVersionCommand,
  UpdateNodegroupVersionCommand,
} from '@aws-sdk/client-eks';
import { afterEach, describe, expect, it } from 'vitest';
import { startRig, type TestRig } from './support.ts';

// Walks the multi-hop scenario the way a multi-version plan would, through the real SDK: this proves the
// scenario's catalogue has a valid path from 1.24 to 1.30 under the simulator's rules.

const name = 'legacy-cluster';
let rig: TestRig;

afterEach(async () => {
  await rig.close();
});

const minor = (version: string): number => Number(version.split('.')[1]);
const addonMinor = (version: string): number => Number(/^v\d+\.(\d+)\./.exec(version)?.[1]);

/** Rotates the node groups whose kubelet would fall out of skew with the target (3 minors, 2 below 1.25). */
async function rotateNodegroupsFor(target: string, clusterVersion: string): Promise<string[]> {
  const { nodegroups = [] } = await rig.eks.send(new ListNodegroupsCommand({ clusterName: name }));
  const rotated: string[] = [];
  for (const nodegroupName of nodegroups) {
    const { nodegroup } = await rig.eks.send(
      new DescribeNodegroupCommand({ clusterName: name, nodegroupName }),
    );
    const version = nodegroup?.version ?? '';
    if (minor(target) - minor(version) > (minor(version) >= 25 ? 3 : 2)) {
      await rig.eks.send(
        new UpdateNodegroupVersionCommand({ clusterName: name, nodegroupName, version: clusterVersion }),
      );
      rig.advanceMinutes(60);
      rotated.push(`${nodegroupName}->${clusterVersion}`);
    }
  }
  return rotated;
}

/** Moves every add-on to the default for the cluster's version; vpc-cni one minor per update. */
async function moveAddons(clusterVersion: string): Promise<string[]> {
  const moves: string[] = [];
  const { addons = [] } = await rig.eks.send(new ListAddonsCommand({ clusterName: name }));
  for (const addonName of addons) {
    const { addons: infos = [] } = await rig.eks.send(
      new DescribeAddonVersionsCommand({ kubernetesVersion: clusterVersion, addonName }),
    );
    const compatible = infos[0]?.addonVersions ?? [];
    const target = compatible.find((v) => v.compatibilities?.[0]?.defaultVersion)?.addonVersion ?? '';
    for (;;) {
      const { addon } = await rig.eks.send(new DescribeAddonCommand({ clusterName: name, addonName }));
      const current = addon?.addonVersion ?? '';
      if (current === target) break;
      let next = target;
      if (addonName === 'vpc-cni' && Math.abs(addonMinor(target) - addonMinor(current)) > 1) {
        const step = addonMinor(current) + Math.sign(addonMinor(target) - addonMinor(current));
        next = compatible.find((v) => addonMinor(v.addonVersion ?? '') === step)?.addonVersion ?? '';
      }
      await rig.eks.send(
        new UpdateAddonCommand({
          clusterName: name,
          addonName,
          addonVersion: next,
          resolveConflicts: 'PRESERVE',
        }),
      );
      rig.advanceMinutes(3);
      moves.push(`${addonName} ${next}`);
    }
  }
  return moves;
}

describe('multi-hop scenario', () => {
  it('knows 1.24 to 1.35 and resolves "latest" to 1.35', async () => {
    rig = await startRig({ scenario: 'multi-hop' });
    const supported = await rig.eks.send(new DescribeClusterVersionsCommand({}));
    expect(supported.clusterVersions?.[0]?.clusterVersion).toBe('1.35');
    // On the scenario's date (2026-11-25) 1.24 to 1.30 are past extended support: only includeAll lists them.
    expect(supported.clusterVersions?.map((v) => v.clusterVersion)).toEqual([
      '1.35',
      '1.34',
      '1.33',
      '1.32',
      '1.31',
    ]);
    const { clusterVersions = [] } = await rig.eks.send(
      new DescribeClusterVersionsCommand({ includeAll: true }),
    );
    const versions = clusterVersions.map((v) => v.clusterVersion ?? '');
    expect(versions.filter((v) => minor(v) >= 24).sort((a, b) => minor(a) - minor(b))).toEqual(
      Array.from({ length: 12 }, (_, i) => `1.${24 + i}`),
    );
    expect(clusterVersions.find((v) => v.clusterVersion === '1.30')?.versionStatus).toBe('UNSUPPORTED');
  });

  it('goes from 1.24 to 1.30, rotating node groups only when skew forces it and stepping vpc-cni', async () => {
    rig = await startRig({ scenario: 'multi-hop' });
    const log: string[] = [];
    let version = '1.24';
    for (const target of ['1.25', '1.26', '1.27', '1.28', '1.29', '1.30']) {
      log.push(...(await rotateNodegroupsFor(target, version)));
      await rig.eks.send(new UpdateClusterVersionCommand({ name, version: target }));
      rig.advanceMinutes(25);
      const { cluster } = await rig.eks.send(new DescribeClusterCommand({ name }));
      expect(cluster).toMatchObject({ version: target, status: 'ACTIVE' });
      version = target;
      log.push(`cluster->${target}`, ...(await moveAddons(version)));
    }
    expect(log).toEqual([
      'cluster->1.25',
      'vpc-cni v1.11.4-eksbuild.1',
      'vpc-cni v1.12.6-eksbuild.2',
      'vpc-cni v1.13.4-eksbuild.1',
      'coredns v1.9.3-eksbuild.22',
      'kube-proxy v1.25.16-eksbuild.2',
      'ng-123->1.25',
      'cluster->1.26',
      'vpc-cni v1.14.1-eksbuild.1',
      'coredns v1.10.1-eksbuild.38',
      'kube-proxy v1.26.15-eksbuild.2',
      'ng-124->1.26',
      'ng-124-al2023->1.26',
      'cluster->1.27',
      'vpc-cni v1.15.5-eksbuild.1',
      'kube-proxy v1.27.16-eksbuild.2',
      'cluster->1.28',
      'vpc-cni v1.16.4-eksbuild.2',
      'kube-proxy v1.28.15-eksbuild.2',
      'ng-123->1.28',
      'cluster->1.29',
      'vpc-cni v1.17.1-eksbuild.1',
      'vpc-cni v1.18.6-eksbuild.1',
      'coredns v1.11.4-eksbuild.24',
      'kube-proxy v1.29.15-eksbuild.2',
      'ng-124->1.29',
      'ng-124-al2023->1.29',
      'cluster->1.30',
      'kube-proxy v1.30.14-eksbuild.2',
    ]);
    const [cluster] = rig.simulator.snapshot().clusters;
    expect(cluster?.addons?.every((a) => a.compatible && a.status === 'ACTIVE')).toBe(true);
    expect(cluster?.nodegroups.map((ng) => [ng.name, ng.version, ng.amiType, ng.releaseVersion])).toEqual([
      ['ng-124', '1.29', 'AL2_x86_64', '1.29.15-20251108'],
      ['ng-124-al2023', '1.29', 'AL2023_x86_64_STANDARD', '1.29.15-20251108'],
      ['ng-123', '1.28', 'AL2_x86_64', '1.28.15-20251020'],
    ]);
    expect(cluster?.updates.every((u) => u.status === 'Successful')).toBe(true);
  });
});
