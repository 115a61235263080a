import {
  DescribeAddonCommand,
  DescribeAddonVersionsCommand,
  DescribeClusterCommand,
  DescribeClusterVersionsCommand,
  DescribeNodegroupCommand,
  DescribeUpdateCommand,
  ListAddonsCommand,
  ListClustersCommand,
  ListInsightsCommand,
  ListNodegroupsCommand,
  paginateListNodegroups,
  UpdateAddonCommand,
  UpdateNodegroupVersionCommand,
} from '@aws-sdk/client-eks';
import { afterEach, describe, expect, it } from 'vitest';
import { rejectionOf, startRig, type TestRig } from './support.ts';

let rig: TestRig;

afterEach(async () => {
  await rig.close();
});

describe('EKS reads', () => {
  it('describes the seed cluster with epoch-second timestamps the SDK turns into Dates', async () => {
    rig = await startRig();
    const { cluster } = await rig.eks.send(new DescribeClusterCommand({ name: 'ekscluster-eksctl' }));
    expect(cluster).toMatchObject({
      name: 'ekscluster-eksctl',
      arn: 'arn:aws:eks:us-east-1:123456789012:cluster/ekscluster-eksctl',
      version: '1.18',
      status: 'ACTIVE',
      platformVersion: 'eks.3',
      upgradePolicy: { supportType: 'EXTENDED' },
    });
    expect(cluster?.createdAt).toEqual(new Date('2021-02-20T10:14:00Z'));
    expect(cluster?.resourcesVpcConfig?.subnetIds).toHaveLength(3);
  });

  it('describes the seed node group and names its Auto Scaling group', async () => {
    rig = await startRig();
    const { nodegroup } = await rig.eks.send(
      new DescribeNodegroupCommand({ clusterName: 'ekscluster-eksctl', nodegroupName: 'managednodegroup' }),
    );
    expect(nodegroup).toMatchObject({
      nodegroupName: 'managednodegroup',
      version: '1.18',
      releaseVersion: '1.18.9-20210208',
      amiType: 'AL2_x86_64',
      instanceTypes: ['t3.small'],
      status: 'ACTIVE',
      scalingConfig: { minSize: 2, maxSize: 4, desiredSize: 3 },
      updateConfig: { maxUnavailable: 1 },
      resources: {
        autoScalingGroups: [{ name: 'eks-managednodegroup-8ebb9a8c-6a7c-3a9a-1d2a-2bdf2e3c9a41' }],
      },
    });
  });

  it('lists clusters and pages through node groups with maxResults and nextToken', async () => {
    rig = await startRig({ scenario: 'four-nodegroups' });
    const { clusters } = await rig.eks.send(new ListClustersCommand({}));
    expect(clusters).toEqual(['prod-cluster']);
    const first = await rig.eks.send(
      new ListNodegroupsCommand({ clusterName: 'prod-cluster', maxResults: 3 }),
    );
    expect(first.nodegroups).toEqual(['system', 'apps', 'batch-spot']);
    expect(first.nextToken).toEqual(expect.any(String));
    const second = await rig.eks.send(
      new ListNodegroupsCommand({ clusterName: 'prod-cluster', maxResults: 3, nextToken: first.nextToken }),
    );
    expect(second).toMatchObject({ nodegroups: ['ingress'] });
    expect(second.nextToken).toBeUndefined();

    const all: string[] = [];
    for await (const page of paginateListNodegroups(
      { client: rig.eks, pageSize: 2 },
      { clusterName: 'prod-cluster' },
    )) {
      all.push(...(page.nodegroups ?? []));
    }
    expect(all).toEqual(['system', 'apps', 'batch-spot', 'ingress']);
  });

  it('rejects a bad nextToken and an out-of-range maxResults', async () => {
    rig = await startRig();
    const token = await rejectionOf(
      rig.eks.send(new ListNodegroupsCommand({ clusterName: 'ekscluster-eksctl', nextToken: 'garbage' })),
    );
    expect(token.name).toBe('InvalidParameterException');
    const size = await rejectionOf(
      rig.eks.send(new ListNodegroupsCommand({ clusterName: 'ekscluster-eksctl', maxResults: 101 })),
    );
    expect(size.name).toBe('InvalidParameterException');
  });

  it('answers 404 for an unknown update id and for a node-group update asked without nodegroupName', async () => {
    rig = await startRig();
    const error = await rejectionOf(
      rig.eks.send(new DescribeUpdateCommand({ name: 'ekscluster-eksctl', updateId: 'nope' })),
    );
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.$metadata?.httpStatusCode).toBe(404);

    const { update } = await rig.eks.send(
      new UpdateNodegroupVersionCommand({
        clusterName: 'ekscluster-eksctl',
        nodegroupName: 'managednodegroup',
      }),
    );
    const withoutNodegroup = await rejectionOf(
      rig.eks.send(new DescribeUpdateCommand({ name: 'ekscluster-eksctl', updateId: update?.id })),
    );
    expect(withoutNodegroup.name).toBe('ResourceNotFoundException');
  });

  it('reports version support status at the simulated date', async () => {
    rig = await startRig();
    const { clusterVersions = [] } = await rig.eks.send(
      new DescribeClusterVersionsCommand({ includeAll: true }),
    );
    const byVersion = new Map(clusterVersions.map((v) => [v.clusterVersion, v]));
    expect(byVersion.get('1.18')?.versionStatus).toBe('UNSUPPORTED');
    expect(byVersion.get('1.31')?.versionStatus).toBe('EXTENDED_SUPPORT');
    expect(byVersion.get('1.34')).toMatchObject({ versionStatus: 'STANDARD_SUPPORT', defaultVersion: true });
    const supported = await rig.eks.send(new DescribeClusterVersionsCommand({}));
    expect(supported.clusterVersions?.some((v) => v.clusterVersion === '1.18')).toBe(false);
  });

  it('lists upgrade-readiness insights with a filter', async () => {
    rig = await startRig({ scenario: 'four-nodegroups' });
    const { insights } = await rig.eks.send(
      new ListInsightsCommand({ clusterName: 'prod-cluster', filter: { statuses: ['WARNING'] } }),
    );
    expect(insights).toMatchObject([
      { name: 'Kubelet version skew', kubernetesVersion: '1.30', insightStatus: { status: 'WARNING' } },
    ]);
  });
});

describe('EKS add-ons', () => {
  it('lists compatible add-on versions and updates an add-on over 3 simulated minutes', async () => {
    rig = await startRig();
    const { addons } = await rig.eks.send(new ListAddonsCommand({ clusterName: 'ekscluster-eksctl' }));
    expect(addons).toEqual(['vpc-cni', 'coredns', 'kube-proxy']);
    const versions = await rig.eks.send(
      new DescribeAddonVersionsCommand({ kubernetesVersion: '1.18', addonName: 'kube-proxy' }),
    );
    expect(versions.addons?.[0]?.addonVersions?.map((v) => v.addonVersion)).toEqual([
      'v1.18.20-eksbuild.2',
      'v1.18.8-eksbuild.1',
    ]);

    const { update } = await rig.eks.send(
      new UpdateAddonCommand({
        clusterName: 'ekscluster-eksctl',
        addonName: 'kube-proxy',
        resolveConflicts: 'OVERWRITE',
      }),
    );
    expect(update).toMatchObject({
      type: 'AddonUpdate',
      params: [{ type: 'AddonVersion', value: 'v1.18.20-eksbuild.2' }, {}],
    });
    rig.advanceMinutes(3);
    const { addon } = await rig.eks.send(
      new DescribeAddonCommand({ clusterName: 'ekscluster-eksctl', addonName: 'kube-proxy' }),
    );
    expect(addon).toMatchObject({ status: 'ACTIVE', addonVersion: 'v1.18.20-eksbuild.2' });
  });

  it('rejects an add-on version that does not support the cluster version', async () => {
    rig = await startRig();
    const error = await rejectionOf(
      rig.eks.send(
        new UpdateAddonCommand({
          clusterName: 'ekscluster-eksctl',
          addonName: 'kube-proxy',
          addonVersion: 'v1.29.15-eksbuild.2',
        }),
      ),
    );
    expect(error.name).toBe('InvalidParameterException');
  });
});
