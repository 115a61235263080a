import { DescribeClusterCommand, EKSClient, ListClustersCommand } from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { resolveFleet } from '../../../functions/resolve-fleet/resolve-fleet.ts';
import { executionNameFor, parseFleetSpec } from '../../../functions/shared/fleet.ts';
import { compareReleases } from '../../../functions/shared/release-versions.ts';

const eksMock = mockClient(EKSClient);
const deps = {
  eks: new EKSClient({ region: 'us-east-1' }),
  now: () => new Date('2026-11-25T02:00:00Z'),
  allowedClusters: '*',
};
const window = { start: '2026-11-29T02:00:00Z', minutes: 240 };

describe('parseFleetSpec', () => {
  it('reads cluster=policy pairs, a bare name meaning "next" and "ami" meaning an AMI refresh', () => {
    expect(parseFleetSpec(' prod-a=next, prod-b=1.31,edge=ami,dev ')).toEqual([
      { clusterName: 'prod-a', targetVersion: 'next' },
      { clusterName: 'prod-b', targetVersion: '1.31' },
      { clusterName: 'edge' },
      { clusterName: 'dev', targetVersion: 'next' },
    ]);
    expect(parseFleetSpec('')).toEqual([]);
  });

  it('names every bad entry', () => {
    expect(() => parseFleetSpec('ok,bad name=next,x=2.x,y=next=1')).toThrow(
      expect.objectContaining({
        name: 'InvalidInputError',
        message: expect.stringMatching(/bad name.*x=2\.x.*y=next=1/),
      }),
    );
  });
});

describe('executionNameFor', () => {
  it('is stable, at most 80 characters and free of characters Step Functions refuses', () => {
    const long = executionNameFor(`c${'x'.repeat(99)}`, 'ami-1.32.12-20261126');
    expect(long.length).toBeLessThanOrEqual(80);
    expect(long).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(executionNameFor(`c${'x'.repeat(99)}`, 'ami-1.32.12-20261126')).toBe(long);
    expect(executionNameFor(`c${'x'.repeat(99)}`, 'ami-1.32.13-20261203')).not.toBe(long);
    expect(executionNameFor('prod', '20261129T0200Z')).toBe('prod-20261129T0200Z');
  });
});

describe('compareReleases', () => {
  it('orders by build date, then Kubernetes patch, and refuses what is not a release', () => {
    expect(compareReleases('1.32.9-20251108', '1.32.11-20261104')).toBeLessThan(0);
    expect(compareReleases('1.32.11-20261104', '1.32.11-20261104')).toBe(0);
    expect(compareReleases('ami-0abc', '1.32.11-20261104')).toBeUndefined();
  });
});

describe('resolveFleet', () => {
  beforeEach(() => eksMock.reset());

  it('names each child from cluster and window, so a repeated schedule starts nothing twice', async () => {
    const fleet = await resolveFleet(
      { clusters: 'prod-a=next,edge=ami', window, maxConcurrentClusters: 2 },
      deps,
    );
    expect(fleet).toEqual({
      waves: [
        {
          name: 'all',
          items: [
            {
              clusterName: 'prod-a',
              executionName: 'prod-a-20261129T0200Z',
              input: { clusterName: 'prod-a', targetVersion: 'next', window },
            },
            {
              clusterName: 'edge',
              executionName: 'edge-20261129T0200Z',
              input: { clusterName: 'edge', window },
            },
          ],
          maxConcurrentClusters: 2,
          maxFailures: null,
          soakSeconds: 0,
          executionNames: ['prod-a-20261129T0200Z', 'edge-20261129T0200Z'],
        },
      ],
    });
    expect(
      await resolveFleet({ clusters: 'prod-a=next,edge=ami', window, maxConcurrentClusters: 2 }, deps),
    ).toEqual(fleet);
  });

  it("gives every child the template's bake, and no bake at 0 minutes", async () => {
    const baked = await resolveFleet(
      {
        clusters: 'prod-a',
        window,
        bakeMinutes: 45,
        bakeAlarms: 'api-5xx, checkout-latency',
        onGateFailure: 'rollback',
      },
      deps,
    );
    expect(baked.waves.flatMap((wave) => wave.items)[0]?.input).toMatchObject({
      bake: { minutes: 45, alarms: ['api-5xx', 'checkout-latency'] },
      onGateFailure: 'rollback',
    });
    const unbaked = await resolveFleet({ clusters: 'prod-a', window, bakeMinutes: 0, bakeAlarms: '' }, deps);
    expect(unbaked.waves.flatMap((wave) => wave.items)[0]?.input).not.toHaveProperty('bake');
  });

  it('runs ordered waves, each with its clusters, concurrency, tolerance and soak; a cluster runs in its first wave', async () => {
    const fleet = await resolveFleet(
      {
        window,
        maxConcurrentClusters: 3,
        waves: [
          { name: 'dev', clusters: 'dev-1', soakMinutes: 30 },
          { name: 'prod', clusters: 'prod-a,prod-b,dev-1', maxConcurrentClusters: 1, maxFailures: 1 },
        ],
      },
      deps,
    );
    expect(
      fleet.waves.map(({ name, maxConcurrentClusters, maxFailures, soakSeconds, executionNames }) => ({
        name,
        maxConcurrentClusters,
        maxFailures,
        soakSeconds,
        executionNames,
      })),
    ).toEqual([
      {
        name: 'dev',
        maxConcurrentClusters: 3,
        maxFailures: 0,
        soakSeconds: 1800,
        executionNames: ['dev-1-20261129T0200Z'],
      },
      {
        name: 'prod',
        maxConcurrentClusters: 1,
        maxFailures: 1,
        soakSeconds: 0,
        executionNames: ['prod-a-20261129T0200Z', 'prod-b-20261129T0200Z'],
      },
    ]);
    await expect(
      resolveFleet({ clusters: 'a', waves: [{ name: 'x', clusters: 'b' }] }, deps),
    ).rejects.toMatchObject({
      name: 'InvalidInputError',
    });
  });

  it("names an AMI release's children apart from a window's that starts in the same minute", async () => {
    const refresh = await resolveFleet(
      { clusters: 'edge=ami', window, maxConcurrentClusters: 2, runKey: 'ami-1.32.12-20261126' },
      deps,
    );
    expect(refresh.waves.flatMap((wave) => wave.items).map((item) => item.executionName)).toEqual([
      'edge-ami-1.32.12-20261126-20261129T0200Z',
    ]);
  });

  it("plans every cluster under a name of its own in a dry run, leaving the window's names free", async () => {
    const fleet = await resolveFleet({ clusters: 'prod-a=next', window, dryRun: true }, deps);
    expect(fleet.waves.flatMap((wave) => wave.items)).toEqual([
      {
        clusterName: 'prod-a',
        executionName: 'prod-a-20261129T0200Z-plan',
        input: { clusterName: 'prod-a', dryRun: true, targetVersion: 'next', window },
      },
    ]);
  });

  it('finds clusters by tag', async () => {
    eksMock.on(ListClustersCommand).resolves({ clusters: ['a', 'b'] });
    eksMock.on(DescribeClusterCommand, { name: 'a' }).resolves({ cluster: { tags: { upgrade: 'weekly' } } });
    eksMock.on(DescribeClusterCommand, { name: 'b' }).resolves({ cluster: { tags: {} } });
    const fleet = await resolveFleet(
      { tagFilter: { key: 'upgrade', value: 'weekly' }, targetVersion: 'latest' },
      deps,
    );
    expect(fleet.waves.flatMap((wave) => wave.items).map((item) => item.input)).toEqual([
      { clusterName: 'a', targetVersion: 'latest' },
    ]);
  });

  it('never describes a tagged cluster outside the allowed pattern (IAM would refuse)', async () => {
    eksMock.on(ListClustersCommand).resolves({ clusters: ['prod-a', 'other'] });
    eksMock.on(DescribeClusterCommand).resolves({ cluster: { tags: { upgrade: 'weekly' } } });
    const fleet = await resolveFleet(
      { tagFilter: { key: 'upgrade', value: 'weekly' } },
      { ...deps, allowedClusters: 'prod-*' },
    );
    expect(fleet.waves.flatMap((wave) => wave.items).map((item) => item.clusterName)).toEqual(['prod-a']);
    expect(eksMock).not.toHaveReceivedCommandWith(DescribeClusterCommand, { name: 'other' });
  });

  it('refuses an input that names no cluster, or malformed fields', async () => {
    await expect(resolveFleet({ clusters: '' }, deps)).rejects.toMatchObject({ name: 'InvalidInputError' });
    await expect(resolveFleet({ clusters: 'a', maxConcurrentClusters: -1 }, deps)).rejects.toMatchObject({
      name: 'InvalidInputError',
    });
  });
});
