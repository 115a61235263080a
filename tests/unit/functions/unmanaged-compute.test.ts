import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInsightCommand, EKSClient } from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ensureUnmanagedKeepUp, unmanagedSkew } from '../../../functions/plan-upgrade/unmanaged-compute.ts';
import type { PlannedNodegroup } from '../../../functions/shared/types.ts';

const eksMock = mockClient(EKSClient);
const asgMock = mockClient(AutoScalingClient);
const v = (minor: number) => ({ major: 1, minor });

const apps: PlannedNodegroup = {
  name: 'apps',
  currentVersion: '1.29',
  releaseVersion: '1.29.15-20251108',
  amiType: 'AL2023_x86_64_STANDARD',
  desiredSize: 2,
  maxUnavailable: 1,
  customAmi: false,
};
const described = new Map([['apps', { resources: { autoScalingGroups: [{ name: 'eks-apps' }] } }]]);

function context(resources: string[], status = 'ERROR') {
  eksMock.on(DescribeInsightCommand).resolves({
    insight: {
      resources: resources.map((name) => ({
        insightStatus: { status: 'ERROR' },
        kubernetesResourceUri: `/api/v1/nodes/${name}`,
      })),
    },
  });
  return {
    eks: new EKSClient({ region: 'us-east-1' }),
    autoScaling: new AutoScalingClient({ region: 'us-east-1' }),
    clusterName: 'mixed',
    hops: [v(30), v(31), v(32), v(33)],
    insights: [
      { id: 'i-33', name: 'Kubelet version skew', kubernetesVersion: '1.33', status, reason: 'behind' },
      { id: 'i-30', name: 'Kubelet version skew', kubernetesVersion: '1.30', status: 'PASSING', reason: '' },
    ],
    nodegroups: [apps],
    described,
  };
}

beforeEach(() => {
  eksMock.reset();
  asgMock.reset();
  asgMock.on(DescribeAutoScalingGroupsCommand).resolves({
    AutoScalingGroups: [
      {
        AutoScalingGroupName: 'eks-apps',
        Instances: [{ InstanceId: 'i-0aaa' }, { InstanceId: 'i-0bbb' }],
      } as never,
    ],
  });
});

describe('unmanagedSkew', () => {
  it('takes managed nodes out by instance ID and names the rest', async () => {
    const found = await unmanagedSkew(
      context(['i-0aaa.ec2.internal', 'i-0bbb.ec2.internal', 'ip-10-0-7-21.ec2.internal']),
    );
    expect(found.behind).toEqual([{ hop: v(33), nodes: ['ip-10-0-7-21.ec2.internal'] }]);
    expect(found.unchecked).toEqual([v(31), v(32)]);
  });

  it('with IP-based names, counts: more flagged nodes than the lagging managed groups have means some are outside', async () => {
    const three = await unmanagedSkew(context(['ip-a', 'ip-b', 'ip-c']));
    expect(three.behind).toEqual([{ hop: v(33), nodes: ['ip-a', 'ip-b', 'ip-c'], atLeast: 1 }]);
    const two = await unmanagedSkew(context(['ip-a', 'ip-b']));
    expect(two.behind).toEqual([]);
  });

  it('counts an ERROR finding that names no node as one it could not read; a WARNING (nodes lag within the rule) is none', async () => {
    const error = await unmanagedSkew(context([], 'ERROR'));
    expect(error.behind[0]?.nodes[0]).toContain('nodes the insight does not name');
    const warning = await unmanagedSkew(context(['ip-a', 'ip-b', 'ip-c'], 'WARNING'));
    expect(warning.behind).toEqual([]);
  });
});

describe('ensureUnmanagedKeepUp', () => {
  const behind = [{ hop: v(33), nodes: ['ip-10-0-7-21.ec2.internal', 'fargate-ip-10-0-9-5.ec2.internal'] }];

  it('refuses, naming the nodes, what to do with each kind, and the highest target they allow', () => {
    expect(() => ensureUnmanagedKeepUp(behind, v(29), v(33), false)).toThrow(
      expect.objectContaining({
        name: 'UnmanagedSkewError',
        message: expect.stringMatching(
          /ip-10-0-7-21\.ec2\.internal \(self-managed.*fargate-ip-10-0-9-5\.ec2\.internal \(Fargate pods.*highest target they allow is 1\.32/,
        ),
      }),
    );
  });

  it('accepted, says what is left to the user', () => {
    expect(ensureUnmanagedKeepUp(behind, v(29), v(33), true)[0]).toContain('Left to you');
    expect(ensureUnmanagedKeepUp([], v(29), v(33), false)).toEqual([]);
  });
});
