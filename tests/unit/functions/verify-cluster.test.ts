import {
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  EKSClient,
} from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { verifyCluster } from '../../../functions/verify-cluster/verify-cluster.ts';
import { seedPlan } from '../fixtures.ts';

const eksMock = mockClient(EKSClient);
const eks = new EKSClient({ region: 'us-east-1' });
const plan = {
  ...seedPlan,
  expected: {
    nodegroups: [{ name: 'managednodegroup', version: '1.19', releaseVersion: '1.19.15-20211013' }],
    addons: [{ name: 'vpc-cni', version: 'v1.12.6-eksbuild.2' }],
  },
};

describe('verifyCluster', () => {
  beforeEach(() => {
    eksMock.reset();
    eksMock.on(DescribeClusterCommand).resolves({ cluster: { version: '1.19', status: 'ACTIVE' } });
    eksMock.on(DescribeNodegroupCommand).resolves({
      nodegroup: { version: '1.19', releaseVersion: '1.19.15-20211013', status: 'ACTIVE' },
    });
    eksMock
      .on(DescribeAddonCommand)
      .resolves({ addon: { addonVersion: 'v1.12.6-eksbuild.2', status: 'ACTIVE' } });
  });

  it('confirms the cluster ended as planned', async () => {
    const result = await verifyCluster(plan, { eks });
    expect(result).toMatchObject({ version: '1.19', warnings: [] });
    expect(result.nodegroups).toEqual([
      { name: 'managednodegroup', version: '1.19', releaseVersion: '1.19.15-20211013', status: 'ACTIVE' },
    ]);
  });

  it('reports health issues as warnings', async () => {
    eksMock.on(DescribeNodegroupCommand).resolves({
      nodegroup: {
        version: '1.19',
        releaseVersion: '1.19.15-20211013',
        status: 'ACTIVE',
        health: {
          issues: [{ code: 'AsgInstanceLaunchFailures', message: 'capacity', resourceIds: ['eks-ng'] }],
        },
      },
    });
    expect((await verifyCluster(plan, { eks })).warnings).toEqual([
      'node group managednodegroup: AsgInstanceLaunchFailures: capacity (eks-ng)',
    ]);
  });

  it('fails when an add-on is not on its planned version', async () => {
    eksMock
      .on(DescribeAddonCommand)
      .resolves({ addon: { addonVersion: 'v1.11.4-eksbuild.1', status: 'ACTIVE' } });
    await expect(verifyCluster(plan, { eks })).rejects.toMatchObject({
      message: expect.stringContaining('add-on vpc-cni is v1.11.4-eksbuild.1, not v1.12.6-eksbuild.2'),
    });
  });

  it('fails naming every difference from the plan', async () => {
    eksMock
      .on(DescribeNodegroupCommand)
      .resolves({ nodegroup: { version: '1.18', releaseVersion: '1.18.9-20210208', status: 'UPDATING' } });
    await expect(verifyCluster(plan, { eks })).rejects.toMatchObject({
      name: 'VerificationFailedError',
      message: expect.stringMatching(/managednodegroup is UPDATING.*managednodegroup is on 1.18, not 1.19/),
    });
  });

  it('passes DEGRADED node groups and add-ons with a warning, as Check Update does', async () => {
    eksMock.on(DescribeNodegroupCommand).resolves({
      nodegroup: { version: '1.19', releaseVersion: '1.19.15-20211013', status: 'DEGRADED' },
    });
    eksMock
      .on(DescribeAddonCommand)
      .resolves({ addon: { addonVersion: 'v1.12.6-eksbuild.2', status: 'DEGRADED' } });
    expect((await verifyCluster(plan, { eks })).warnings).toEqual([
      'node group managednodegroup reports DEGRADED',
      'add-on vpc-cni reports DEGRADED',
    ]);
  });

  it('fails when an add-on on its planned version is not healthy', async () => {
    eksMock
      .on(DescribeAddonCommand)
      .resolves({ addon: { addonVersion: 'v1.12.6-eksbuild.2', status: 'UPDATE_FAILED' } });
    await expect(verifyCluster(plan, { eks })).rejects.toMatchObject({
      message: expect.stringContaining('add-on vpc-cni is UPDATE_FAILED, not ACTIVE'),
    });
  });
});
