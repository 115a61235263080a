import {
  type ClusterStatus,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  EKSClient,
  ListNodegroupsCommand,
} from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { planUpgrade } from '../../../functions/plan-upgrade/plan-upgrade.ts';
import { eksError } from '../fixtures.ts';

const eksMock = mockClient(EKSClient);
const eks = new EKSClient({ region: 'us-east-1' });
const plan = (input: unknown) => planUpgrade({ input, executionName: 'run-1' }, { eks });

function givenCluster(
  version: string,
  status: ClusterStatus = 'ACTIVE',
  nodegroups: Record<string, string> = { ng: version },
) {
  eksMock.on(DescribeClusterCommand).resolves({ cluster: { name: 'prod', version, status } });
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
        releaseVersion: `${ngVersion}.9-20210208`,
        status: 'ACTIVE',
        scalingConfig: { desiredSize: 3 },
      },
    });
  }
}

describe('planUpgrade', () => {
  beforeEach(() => eksMock.reset());

  it('plans the control plane and every node group one minor up', async () => {
    givenCluster('1.18', 'ACTIVE', { a: '1.18', b: '1.18' });
    const result = await plan({ clusterName: 'prod', targetVersion: '1.19' });
    expect(result.controlPlane).toEqual({ moves: true, from: '1.18', to: '1.19' });
    expect(result.nodegroups.map((ng) => [ng.name, ng.moves])).toEqual([
      ['a', true],
      ['b', true],
    ]);
    expect(result).toMatchObject({ force: false, maxConcurrentNodegroups: 1, dryRun: false, notify: true });
    expect(result.summary).toContain('1.18 -> 1.19');
    expect(eksMock).toHaveReceivedCommandTimes(ListNodegroupsCommand, 2);
  });

  it('resolves "next" to the following minor', async () => {
    givenCluster('1.29');
    expect((await plan({ clusterName: 'prod', targetVersion: 'next' })).targetVersion).toBe('1.30');
  });

  it('keeps the control plane when no target is given', async () => {
    givenCluster('1.29');
    const result = await plan({ clusterName: 'prod' });
    expect(result.controlPlane.moves).toBe(false);
    expect(result.nodegroups[0]?.moves).toBe(false);
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

  it('names a cluster that does not exist', async () => {
    eksMock
      .on(DescribeClusterCommand)
      .rejects(eksError('ResourceNotFoundException', 'No cluster found for name: prod.', 404));
    await expect(plan({ clusterName: 'prod', targetVersion: '1.19' })).rejects.toMatchObject({
      name: 'ClusterNotFoundError',
    });
  });

  it('refuses a cluster that is not ACTIVE or UPDATING', async () => {
    givenCluster('1.18', 'DELETING');
    await expect(plan({ clusterName: 'prod', targetVersion: '1.19' })).rejects.toMatchObject({
      name: 'ClusterNotReadyError',
      message: expect.stringContaining('DELETING'),
    });
  });

  it('accepts an UPDATING cluster so the update step can adopt its update', async () => {
    givenCluster('1.18', 'UPDATING');
    expect((await plan({ clusterName: 'prod', targetVersion: '1.19' })).controlPlane.moves).toBe(true);
  });

  it('refuses a downgrade', async () => {
    givenCluster('1.20');
    await expect(plan({ clusterName: 'prod', targetVersion: '1.19' })).rejects.toMatchObject({
      name: 'DowngradeRefusedError',
    });
  });

  it('refuses a target more than one minor ahead', async () => {
    givenCluster('1.18');
    await expect(plan({ clusterName: 'prod', targetVersion: '1.20' })).rejects.toMatchObject({
      name: 'UnsupportedTargetError',
      message: expect.stringContaining('1.19 first'),
    });
  });

  it('refuses a node group that is not in the cluster, naming the ones that are', async () => {
    givenCluster('1.18', 'ACTIVE', { a: '1.18' });
    await expect(
      plan({ clusterName: 'prod', targetVersion: '1.19', nodegroups: ['zz'] }),
    ).rejects.toMatchObject({
      name: 'NodegroupNotFoundError',
      message: expect.stringMatching(/zz.*it has: a/),
    });
  });

  it('plans only the node groups asked for', async () => {
    givenCluster('1.18', 'ACTIVE', { a: '1.18', b: '1.18' });
    const result = await plan({ clusterName: 'prod', targetVersion: '1.19', nodegroups: ['b'] });
    expect(result.nodegroups.map((ng) => ng.name)).toEqual(['b']);
  });

  it('keeps notification subjects within the SNS limit of 100 characters', async () => {
    const name = `c${'x'.repeat(99)}`;
    givenCluster('1.18');
    const result = await plan({ clusterName: name, targetVersion: '1.19' });
    for (const subject of Object.values(result.subjects)) expect(subject.length).toBeLessThanOrEqual(100);
  });
});
