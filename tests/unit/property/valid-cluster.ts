import {
  DescribeAddonCommand,
  DescribeAddonVersionsCommand,
  DescribeClusterCommand,
  DescribeClusterVersionsCommand,
  DescribeNodegroupCommand,
  type EKSClient,
  ListAddonsCommand,
  ListFargateProfilesCommand,
  ListInsightsCommand,
  ListNodegroupsCommand,
} from '@aws-sdk/client-eks';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { AwsClientStub } from 'aws-sdk-client-mock';

// A healthy 1.28 cluster as EKS and SSM describe it, for the plan step to read: two node groups
// (one a minor behind), two managed add-ons with a catalogue for 1.29-1.31, EKS offering 1.23-1.31.

export const validClusterName = 'prod';
export const validNodegroups = ['ng-a', 'ng-b'];
const offered = ['1.23', '1.24', '1.25', '1.26', '1.27', '1.28', '1.29', '1.30', '1.31'];

/** Mutating EKS and SSM operations: the plan step must never send one. */
export const mutatingCommand =
  /^(Update|Create|Delete|Associate|Disassociate|Tag|Untag|Put|Register|Deregister|Start|Cancel)/;

export function mockValidCluster(eks: AwsClientStub<EKSClient>, ssm: AwsClientStub<SSMClient>): void {
  eks.on(DescribeClusterCommand).resolves({
    cluster: { name: validClusterName, version: '1.28', status: 'ACTIVE', platformVersion: 'eks.30' },
  });
  eks.on(DescribeClusterVersionsCommand).resolves({
    clusterVersions: offered.map((clusterVersion) => ({
      clusterVersion,
      versionStatus: clusterVersion < '1.25' ? 'UNSUPPORTED' : 'STANDARD_SUPPORT',
    })),
  });
  eks.on(ListNodegroupsCommand).resolves({ nodegroups: validNodegroups });
  for (const [nodegroupName, version] of [
    ['ng-a', '1.28'],
    ['ng-b', '1.27'],
  ] as const) {
    eks.on(DescribeNodegroupCommand, { nodegroupName }).resolves({
      nodegroup: {
        nodegroupName,
        version,
        releaseVersion: `${version}.9-20240101`,
        amiType: 'AL2_x86_64',
        status: 'ACTIVE',
        scalingConfig: { desiredSize: 3, minSize: 1, maxSize: 5 },
        updateConfig: { maxUnavailable: 1 },
      },
    });
  }
  eks.on(ListAddonsCommand).resolves({ addons: ['vpc-cni', 'kube-proxy'] });
  eks.on(DescribeAddonCommand, { addonName: 'vpc-cni' }).resolves({
    addon: { addonName: 'vpc-cni', addonVersion: 'v1.15.5-eksbuild.1', status: 'ACTIVE' },
  });
  eks.on(DescribeAddonCommand, { addonName: 'kube-proxy' }).resolves({
    addon: { addonName: 'kube-proxy', addonVersion: 'v1.28.15-eksbuild.2', status: 'ACTIVE' },
  });
  eks.on(DescribeAddonVersionsCommand).callsFake((input: { kubernetesVersion?: string }) => {
    const clusterVersion = input.kubernetesVersion ?? '1.28';
    return {
      addons: [
        {
          addonName: 'vpc-cni',
          addonVersions: ['v1.15.5-eksbuild.1', 'v1.16.4-eksbuild.2', 'v1.17.1-eksbuild.1'].map(
            (addonVersion, index) => ({
              addonVersion,
              compatibilities: [{ clusterVersion, defaultVersion: index === 2 }],
            }),
          ),
        },
        {
          addonName: 'kube-proxy',
          addonVersions: [
            {
              addonVersion: `v${clusterVersion}.0-eksbuild.1`,
              compatibilities: [{ clusterVersion, defaultVersion: true }],
            },
          ],
        },
      ],
    };
  });
  eks.on(ListInsightsCommand).resolves({ insights: [] });
  eks.on(ListFargateProfilesCommand).resolves({ fargateProfileNames: [] });
  ssm.on(GetParameterCommand).callsFake((input: { Name?: string }) => {
    const version = /optimized-ami\/(\d+\.\d+)\//.exec(input.Name ?? '')?.[1] ?? '1.28';
    return { Parameter: { Value: `${version}.15-20250101` } };
  });
}
