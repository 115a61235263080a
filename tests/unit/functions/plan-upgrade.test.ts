import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import {
  type ClusterStatus,
  DescribeAddonCommand,
  DescribeAddonVersionsCommand,
  DescribeClusterCommand,
  DescribeClusterVersionsCommand,
  DescribeNodegroupCommand,
  EKSClient,
  ListAddonsCommand,
  ListFargateProfilesCommand,
  ListInsightsCommand,
  ListNodegroupsCommand,
} from '@aws-sdk/client-eks';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { planUpgrade } from '../../../functions/plan-upgrade/plan-upgrade.ts';
import { nodegroupSteps } from '../../../functions/shared/types.ts';
import { eksError } from '../fixtures.ts';

const eksMock = mockClient(EKSClient);
const ssmMock = mockClient(SSMClient);
const deps = {
  eks: new EKSClient({ region: 'us-east-1' }),
  ssm: new SSMClient({ region: 'us-east-1' }),
  cloudWatch: new CloudWatchClient({ region: 'us-east-1' }),
  autoScaling: new AutoScalingClient({ region: 'us-east-1' }),
  ec2: new EC2Client({ region: 'us-east-1' }),
  allowedClusters: '*',
  now: () => new Date('2026-11-25T02:00:00Z'),
};
const plan = (input: unknown) => planUpgrade({ input, executionName: 'run-1' }, deps);

/** "1.9" < "1.10". */
const compareVersions = (a: string, b: string) => {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am - bm || an - bn;
};

const offered = ['1.23', '1.24', '1.25', '1.26', '1.27', '1.28', '1.29', '1.30', '1.31'];

function givenCluster(
  version: string,
  status: ClusterStatus = 'ACTIVE',
  nodegroups: Record<string, string> = { ng: version },
) {
  eksMock.on(DescribeClusterCommand).resolves({ cluster: { name: 'prod', version, status } });
  eksMock.on(DescribeClusterVersionsCommand).resolves({
    clusterVersions: offered.map((clusterVersion) => ({
      clusterVersion,
      versionStatus:
        clusterVersion === '1.23'
          ? 'UNSUPPORTED'
          : compareVersions(clusterVersion, '1.28') < 0
            ? 'EXTENDED_SUPPORT'
            : 'STANDARD_SUPPORT',
    })),
  });
  const names = Object.keys(nodegroups);
  // Two pages, to prove the plan reads every page.
  eksMock
    .on(ListNodegroupsCommand)
    .resolvesOnce({ nodegroups: names.slice(0, 1), nextToken: names.length > 1 ? 'page-2' : undefined })
    .resolves({ nodegroups: names.slice(1) });
  for (const [name, ngVersion] of Object.entries(nodegroups)) {
    eksMock.on(DescribeNodegroupCommand, { nodegroupName: name }).resolves({
      nodegroup: {
        nodegroupName: name,
        version: ngVersion,
        releaseVersion: `${ngVersion}.9-20240101`,
        amiType: 'AL2_x86_64',
        status: 'ACTIVE',
        scalingConfig: { desiredSize: 3 },
      },
    });
  }
  eksMock.on(ListAddonsCommand).resolves({ addons: [] });
  eksMock.on(ListInsightsCommand).resolves({ insights: [] });
  eksMock.on(ListFargateProfilesCommand).resolves({ fargateProfileNames: [] });
  eksMock.on(DescribeAddonVersionsCommand).resolves({ addons: [] });
  ssmMock.on(GetParameterCommand).callsFake((input: { Name: string }) => {
    const version = /optimized-ami\/([\d.]+)\//.exec(input.Name)?.[1];
    return { Parameter: { Value: `${version}.15-20250101` } };
  });
}

describe('planUpgrade', () => {
  beforeEach(() => {
    eksMock.reset();
    ssmMock.reset();
  });

  it('plans one hop: control plane, then every node group onto the recommended release', async () => {
    givenCluster('1.28', 'ACTIVE', { a: '1.28', b: '1.28' });
    const result = await plan({ clusterName: 'prod', targetVersion: '1.29' });
    expect(result.stages).toEqual([
      {
        index: 1,
        controlPlane: { from: '1.28', to: '1.29' },
        addons: [],
        // One roll: both move the same way.
        rolls: [
          {
            nodegroups: ['a', 'b'],
            toVersion: '1.29',
            releaseVersion: '1.29.15-20250101',
            launchTemplate: null,
            reason: 'final',
          },
        ],
      },
    ]);
    expect(result).toMatchObject({ force: false, maxConcurrentNodegroups: 1, dryRun: false, notify: true });
    expect(result.summary).toContain('1.28 -> 1.29');
    expect(eksMock).toHaveReceivedCommandTimes(ListNodegroupsCommand, 2);
    expect(ssmMock).toHaveReceivedCommandWith(GetParameterCommand, {
      Name: '/aws/service/eks/optimized-ami/1.29/amazon-linux-2/recommended/release_version',
    });
  });

  it('finishes add-on work a stopped run left: an add-on the current version does not support moves first', async () => {
    givenCluster('1.29');
    eksMock.on(ListAddonsCommand).resolves({ addons: ['kube-proxy'] });
    eksMock.on(DescribeAddonCommand).resolves({ addon: { addonVersion: 'v1.28.2-eksbuild.2' } });
    eksMock.on(DescribeAddonVersionsCommand, { kubernetesVersion: '1.29' }).resolves({
      addons: [
        {
          addonName: 'kube-proxy',
          addonVersions: [
            {
              addonVersion: 'v1.29.0-eksbuild.1',
              compatibilities: [{ clusterVersion: '1.29', defaultVersion: true }],
            },
          ],
        },
      ],
    });
    const result = await plan({ clusterName: 'prod', targetVersion: '1.29' });
    expect(result.stages[0]).toMatchObject({
      index: 0,
      controlPlane: null,
      addons: [{ name: 'kube-proxy', from: 'v1.28.2-eksbuild.2', to: 'v1.29.0-eksbuild.1' }],
    });
  });

  it('plans several hops, rolling node groups only when the skew rule forces it', async () => {
    givenCluster('1.24', 'ACTIVE', { current: '1.24', behind: '1.23' });
    const result = await plan({ clusterName: 'prod', targetVersion: '1.30' });
    expect(
      result.stages.filter((stage) => stage.controlPlane).map((stage) => stage.controlPlane?.to),
    ).toEqual(['1.25', '1.26', '1.27', '1.28', '1.29', '1.30']);
    const rotations = (name: string) =>
      result.stages.flatMap((stage) =>
        nodegroupSteps(stage)
          .filter((step) => step.name === name)
          .map((step) => step.toVersion),
      );
    expect(rotations('current')).toEqual(['1.26', '1.29', '1.30']);
    expect(rotations('behind')).toEqual(['1.25', '1.28', '1.30']);
    expect(result.estimatedSeconds).toBeGreaterThan(6 * 25 * 60);
  });

  it('keeps a cluster already on the newest version where it is for "next", with a note', async () => {
    givenCluster('1.31');
    const result = await plan({ clusterName: 'prod', targetVersion: 'next' });
    expect(result.targetVersion).toBe('1.31');
    expect(result.notes).toContain(
      'Kubernetes 1.31 is the newest version EKS offers here; nothing to move to.',
    );
  });

  it('refuses a pinned release older than a node group already runs', async () => {
    givenCluster('1.29');
    await expect(plan({ clusterName: 'prod', releaseVersion: '1.29.1-20230101' })).rejects.toMatchObject({
      name: 'DowngradeRefusedError',
      message: expect.stringContaining('newer than the pinned 1.29.1-20230101'),
    });
  });

  it('resolves "next" and "latest" from the versions EKS offers', async () => {
    givenCluster('1.29');
    expect((await plan({ clusterName: 'prod', targetVersion: 'next' })).targetVersion).toBe('1.30');
    expect((await plan({ clusterName: 'prod', targetVersion: 'latest' })).targetVersion).toBe('1.31');
  });

  it('refreshes AMIs without a version change when no target is given', async () => {
    givenCluster('1.29');
    const result = await plan({ clusterName: 'prod' });
    expect(result.stages).toEqual([
      {
        index: 0,
        controlPlane: null,
        addons: [],
        rolls: [
          {
            nodegroups: ['ng'],
            toVersion: '1.29',
            releaseVersion: '1.29.15-20250101',
            launchTemplate: null,
            reason: 'ami-refresh',
          },
        ],
      },
    ]);
    expect(eksMock).not.toHaveReceivedCommand(DescribeClusterVersionsCommand);
  });

  it('says why a Bottlerocket node group gets no AMI refresh, instead of leaving it out in silence', async () => {
    givenCluster('1.29');
    eksMock.on(DescribeNodegroupCommand, { nodegroupName: 'ng' }).resolves({
      nodegroup: {
        nodegroupName: 'ng',
        version: '1.29',
        releaseVersion: '1.20.3-5d9ac849',
        amiType: 'BOTTLEROCKET_x86_64',
        status: 'ACTIVE',
        scalingConfig: { desiredSize: 3 },
      },
    });
    const result = await plan({ clusterName: 'prod' });
    expect(result.stages).toEqual([]);
    expect(result.notes).toContainEqual(
      expect.stringMatching(/^Node group ng \(BOTTLEROCKET_x86_64\) gets no AMI refresh: /),
    );
    expect(result.summary).toContain('gets no AMI refresh');
  });

  it('rolls the longest node group first, so that with fewer workers the last to start is short', async () => {
    givenCluster('1.28', 'ACTIVE', { small: '1.28', big: '1.28' });
    eksMock.on(DescribeNodegroupCommand, { nodegroupName: 'big' }).resolves({
      nodegroup: {
        nodegroupName: 'big',
        version: '1.28',
        releaseVersion: '1.28.9-20240101',
        amiType: 'AL2_x86_64',
        status: 'ACTIVE',
        scalingConfig: { desiredSize: 30 },
      },
    });
    const result = await plan({ clusterName: 'prod', targetVersion: '1.29' });
    expect(result.stages.flatMap((stage) => nodegroupSteps(stage).map((step) => step.name))).toEqual([
      'big',
      'small',
    ]);
  });

  it('targets the oldest version in standard support with "standard", and says what extended support costs', async () => {
    givenCluster('1.25');
    const cheapest = await plan({ clusterName: 'prod', targetVersion: 'standard' });
    expect(cheapest.targetVersion).toBe('1.28');
    expect(cheapest.notes.join(' ')).not.toContain('extended support');
    const extended = await plan({ clusterName: 'prod', targetVersion: '1.26' });
    expect(extended.notes).toContainEqual(
      expect.stringMatching(
        /^Kubernetes 1\.26 is in extended support: the control plane costs \$0\.60 per cluster-hour instead of \$0\.10 .*"targetVersion": "standard" would end on 1\.28/,
      ),
    );
    expect(extended.summary).toContain('extended support');
  });

  it('leaves a node group already past the recommended release where it is', async () => {
    givenCluster('1.29');
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: '1.29.5-20231101' } });
    expect((await plan({ clusterName: 'prod' })).stages).toEqual([]);
  });

  it('moves incompatible add-ons after the hop, vpc-cni one minor at a time', async () => {
    givenCluster('1.28');
    eksMock.on(ListAddonsCommand).resolves({ addons: ['vpc-cni', 'kube-proxy'] });
    eksMock
      .on(DescribeAddonCommand, { addonName: 'vpc-cni' })
      .resolves({ addon: { addonVersion: 'v1.14.1-eksbuild.1' } });
    eksMock
      .on(DescribeAddonCommand, { addonName: 'kube-proxy' })
      .resolves({ addon: { addonVersion: 'v1.28.2-eksbuild.2' } });
    const compatible = (clusterVersion: string, versions: string[], defaultVersion: string) =>
      versions.map((addonVersion) => ({
        addonVersion,
        compatibilities: [{ clusterVersion, defaultVersion: addonVersion === defaultVersion }],
      }));
    // Both add-ons run fine on 1.28 today; 1.29 needs kube-proxy 1.29 and supports newer vpc-cni.
    eksMock.on(DescribeAddonVersionsCommand, { kubernetesVersion: '1.28' }).resolves({
      addons: [
        {
          addonName: 'vpc-cni',
          addonVersions: compatible('1.28', ['v1.14.1-eksbuild.1'], 'v1.14.1-eksbuild.1'),
        },
        {
          addonName: 'kube-proxy',
          addonVersions: compatible('1.28', ['v1.28.2-eksbuild.2'], 'v1.28.2-eksbuild.2'),
        },
      ],
    });
    eksMock.on(DescribeAddonVersionsCommand, { kubernetesVersion: '1.29' }).resolves({
      addons: [
        {
          addonName: 'vpc-cni',
          addonVersions: compatible(
            '1.29',
            ['v1.16.0-eksbuild.1', 'v1.15.1-eksbuild.1', 'v1.15.4-eksbuild.1'],
            'v1.16.0-eksbuild.1',
          ),
        },
        {
          addonName: 'kube-proxy',
          addonVersions: compatible('1.29', ['v1.29.0-eksbuild.1'], 'v1.29.0-eksbuild.1'),
        },
      ],
    });
    const result = await plan({ clusterName: 'prod', targetVersion: '1.29' });
    expect(result.stages[0]?.addons).toEqual([
      { name: 'vpc-cni', from: 'v1.14.1-eksbuild.1', to: 'v1.15.4-eksbuild.1', clusterVersion: '1.29' },
      { name: 'vpc-cni', from: 'v1.15.4-eksbuild.1', to: 'v1.16.0-eksbuild.1', clusterVersion: '1.29' },
      { name: 'kube-proxy', from: 'v1.28.2-eksbuild.2', to: 'v1.29.0-eksbuild.1', clusterVersion: '1.29' },
    ]);
    expect(result.selfManagedAddons).toEqual(['coredns']);
  });

  it('refuses a hop that upgrade insights report errors for, unless accepted', async () => {
    givenCluster('1.28');
    eksMock.on(ListInsightsCommand).resolves({
      insights: [
        {
          id: 'i-1',
          name: 'Deprecated APIs removed in Kubernetes v1.29',
          kubernetesVersion: '1.29',
          insightStatus: { status: 'ERROR', reason: 'flowcontrol v1beta2 in use' },
        },
      ],
    });
    await expect(plan({ clusterName: 'prod', targetVersion: '1.29' })).rejects.toMatchObject({
      name: 'InsightsBlockUpgradeError',
      message: expect.stringContaining('flowcontrol v1beta2'),
    });
    const accepted = await plan({ clusterName: 'prod', targetVersion: '1.29', acceptInsightErrors: true });
    expect(accepted.summary).toContain('Insight ERROR for 1.29');
  });

  it('refuses a cluster outside the allowed pattern before calling AWS', async () => {
    const guarded = (clusterName: string) =>
      planUpgrade(
        { input: { clusterName, targetVersion: '1.29' }, executionName: 'run-1' },
        { ...deps, allowedClusters: 'prod-*' },
      );
    await expect(guarded('staging-1')).rejects.toMatchObject({
      name: 'ClusterNotAllowedError',
      message: expect.stringContaining('(prod-*)'),
    });
    expect(eksMock.calls()).toHaveLength(0);
    givenCluster('1.28');
    expect((await guarded('prod-eu')).targetVersion).toBe('1.29');
  });

  it('refuses malformed input before calling AWS', async () => {
    await expect(plan({ clusterName: 'prod', targetVersion: 'one-nineteen' })).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining('targetVersion'),
    });
    await expect(plan({ clusterName: 'bad name;rm' })).rejects.toMatchObject({ name: 'InvalidInputError' });
    await expect(plan({ clusterName: 'prod', surprise: true })).rejects.toMatchObject({
      name: 'InvalidInputError',
    });
    expect(eksMock.calls()).toHaveLength(0);
  });

  it('refuses a release of another version than the target', async () => {
    givenCluster('1.28');
    await expect(
      plan({ clusterName: 'prod', targetVersion: '1.29', releaseVersion: '1.28.15-20250101' }),
    ).rejects.toMatchObject({ name: 'InvalidInputError' });
  });

  it('names a cluster that does not exist', async () => {
    eksMock
      .on(DescribeClusterCommand)
      .rejects(eksError('ResourceNotFoundException', 'No cluster found for name: prod.', 404));
    await expect(plan({ clusterName: 'prod', targetVersion: '1.29' })).rejects.toMatchObject({
      name: 'ClusterNotFoundError',
    });
  });

  it('refuses a cluster that is not ACTIVE or UPDATING', async () => {
    givenCluster('1.28', 'DELETING');
    await expect(plan({ clusterName: 'prod', targetVersion: '1.29' })).rejects.toMatchObject({
      name: 'ClusterNotReadyError',
      message: expect.stringContaining('DELETING'),
    });
  });

  it('accepts an UPDATING cluster so the update step can adopt its update', async () => {
    givenCluster('1.28', 'UPDATING');
    expect(
      (await plan({ clusterName: 'prod', targetVersion: '1.29' })).stages[0]?.controlPlane,
    ).not.toBeNull();
  });

  it('refuses a downgrade and a version EKS does not offer', async () => {
    givenCluster('1.28');
    await expect(plan({ clusterName: 'prod', targetVersion: '1.27' })).rejects.toMatchObject({
      name: 'DowngradeRefusedError',
    });
    await expect(plan({ clusterName: 'prod', targetVersion: '1.40' })).rejects.toMatchObject({
      name: 'UnsupportedTargetError',
      message: expect.stringContaining('1.40 is not a version EKS offers'),
    });
  });

  it('refuses a node group that is not in the cluster, naming the ones that are', async () => {
    givenCluster('1.28', 'ACTIVE', { a: '1.28' });
    await expect(
      plan({ clusterName: 'prod', targetVersion: '1.29', nodegroups: ['zz'] }),
    ).rejects.toMatchObject({
      name: 'NodegroupNotFoundError',
      message: expect.stringMatching(/zz.*it has: a/),
    });
  });

  it('plans only the node groups asked for', async () => {
    givenCluster('1.28', 'ACTIVE', { a: '1.28', b: '1.28' });
    const result = await plan({ clusterName: 'prod', targetVersion: '1.29', nodegroups: ['b'] });
    expect(result.nodegroups.map((ng) => ng.name)).toEqual(['b']);
  });

  it('keeps notification subjects within the SNS limit of 100 characters', async () => {
    const name = `c${'x'.repeat(99)}`;
    givenCluster('1.28');
    const result = await plan({ clusterName: name, targetVersion: '1.29' });
    for (const subject of Object.values(result.subjects)) expect(subject.length).toBeLessThanOrEqual(100);
  });

  describe('replaceAl2', () => {
    /** A 1.30 cluster whose AL2 group EKS gives no AMI for at 1.31 (as past 1.32 on AWS). */
    function givenAl2Group(tags: Record<string, string>) {
      givenCluster('1.30', 'ACTIVE', { legacy: '1.30' });
      eksMock.on(DescribeNodegroupCommand, { nodegroupName: 'legacy' }).resolves({
        nodegroup: {
          nodegroupName: 'legacy',
          version: '1.30',
          releaseVersion: '1.30.9-20240101',
          amiType: 'AL2_x86_64',
          status: 'ACTIVE',
          nodeRole: 'arn:aws:iam::123456789012:role/node',
          scalingConfig: { desiredSize: 3 },
          tags,
        },
      });
      ssmMock.on(GetParameterCommand).callsFake((input: { Name: string }) => {
        const version = /optimized-ami\/([\d.]+)\//.exec(input.Name)?.[1];
        if (version === '1.31' && input.Name.includes('/amazon-linux-2/'))
          throw new ParameterNotFound({ message: 'not found', $metadata: {} });
        return { Parameter: { Value: `${version}.15-20250101` } };
      });
    }
    const input = { clusterName: 'prod', targetVersion: '1.31', replaceAl2: {} };

    it('plans the replacement at the last version with an AL2 AMI, and the old group deleted', async () => {
      givenAl2Group({ team: 'web' });
      const result = await plan(input);
      expect(result.nodegroups[0]?.replacement).toEqual({
        name: 'legacy-al2023',
        amiType: 'AL2023_x86_64_STANDARD',
        atVersion: '1.30',
        exists: false,
      });
      expect(result.expected.deleted).toEqual(['legacy']);
      expect(result.expected.nodegroups).toEqual([
        { name: 'legacy-al2023', version: '1.31', releaseVersion: '1.31.15-20250101' },
      ]);
    });

    it('refuses a group whose tags leave no room for the replacement tag (EKS takes at most 50)', async () => {
      givenAl2Group(Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`tag-${i}`, 'x'])));
      await expect(plan(input)).rejects.toMatchObject({
        name: 'ReplacementRefusedError',
        message: expect.stringContaining('at most 50'),
      });
    });
  });
});
