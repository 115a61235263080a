import { type InsightsFilter, ListInsightsCommand, UpdateClusterVersionCommand } from '@aws-sdk/client-eks';
import { afterEach, describe, expect, it } from 'vitest';
import { loadScenario } from '../../../local/simulator/index.ts';
import { rejectionOf, startRig, type TestRig } from './support.ts';

let rig: TestRig;

afterEach(async () => {
  await rig.close();
});

async function listInsights(clusterName: string, filter: InsightsFilter = {}) {
  const { insights = [] } = await rig.eks.send(new ListInsightsCommand({ clusterName, filter }));
  return insights;
}

describe('ListInsights', () => {
  it('filters by Kubernetes version, category and status', async () => {
    rig = await startRig({ scenario: 'multi-hop' });
    expect(await listInsights('legacy-cluster')).toHaveLength(4);
    const for125 = await listInsights('legacy-cluster', { kubernetesVersions: ['1.25'] });
    expect(for125.map((i) => [i.name, i.insightStatus?.status])).toEqual([
      ['Deprecated APIs removed in Kubernetes v1.25', 'WARNING'],
      ['Kubelet version skew', 'PASSING'],
    ]);
    expect(for125[0]).toMatchObject({
      category: 'UPGRADE_READINESS',
      kubernetesVersion: '1.25',
      description: expect.stringContaining('PodSecurityPolicy'),
      insightStatus: { reason: 'Deprecated API usage detected within the last 30 days.' },
      id: expect.any(String),
    });
    expect(for125[0]?.lastRefreshTime).toEqual(new Date(rig.start));
    const warnings = await listInsights('legacy-cluster', {
      categories: ['UPGRADE_READINESS'],
      statuses: ['WARNING', 'ERROR'],
    });
    expect(warnings.map((i) => i.kubernetesVersion)).toEqual(['1.25']);
    expect(await listInsights('legacy-cluster', { categories: ['MISCONFIGURATION'] })).toEqual([]);
  });

  it('does not block an update with a WARNING insight', async () => {
    rig = await startRig({ scenario: 'multi-hop' });
    const { update } = await rig.eks.send(
      new UpdateClusterVersionCommand({ name: 'legacy-cluster', version: '1.25' }),
    );
    expect(update?.status).toBe('InProgress');
  });
});

describe('an ERROR upgrade-readiness insight', () => {
  it('insight-blocked: lets the hop to 1.28 through and refuses the hop to 1.29 with InvalidStateException', async () => {
    rig = await startRig({ scenario: 'insight-blocked' });
    const name = 'blocked-cluster';
    const [error] = await listInsights(name, { statuses: ['ERROR'] });
    expect(error).toMatchObject({
      name: 'Deprecated APIs removed in Kubernetes v1.29',
      kubernetesVersion: '1.29',
      insightStatus: { status: 'ERROR' },
    });
    await rig.eks.send(new UpdateClusterVersionCommand({ name, version: '1.28' }));
    rig.advanceMinutes(25);
    const blocked = await rejectionOf(
      rig.eks.send(new UpdateClusterVersionCommand({ name, version: '1.29' })),
    );
    expect(blocked.name).toBe('InvalidStateException');
    expect(blocked.$metadata?.httpStatusCode).toBe(400);
    expect(blocked.message).toBe(
      'Upgrade readiness insights report errors for 1.29: Deprecated APIs removed in Kubernetes v1.29. Resolve them or set force.',
    );
    const forced = await rig.eks.send(
      new UpdateClusterVersionCommand({ name, version: '1.29', force: true }),
    );
    expect(forced.update?.status).toBe('InProgress');
  });

  it('insight-error preset: an ERROR for the next minor appears at time 0 and blocks it', async () => {
    rig = await startRig({ faults: ['insight-error'] });
    const name = 'ekscluster-eksctl';
    expect(await listInsights(name, { statuses: ['ERROR'] })).toMatchObject([
      {
        name: 'Deprecated APIs removed in Kubernetes v1.19',
        kubernetesVersion: '1.19',
        category: 'UPGRADE_READINESS',
      },
    ]);
    const error = await rejectionOf(rig.eks.send(new UpdateClusterVersionCommand({ name, version: '1.19' })));
    expect(error.name).toBe('InvalidStateException');
  });

  it('goes back to PASSING at clearAtSecond, and the update is accepted again', async () => {
    const scenario = loadScenario('seed');
    scenario.faults.push({
      type: 'insight-error',
      cluster: 'ekscluster-eksctl',
      version: '1.19',
      atSecond: 600,
      clearAtSecond: 3600,
    });
    rig = await startRig({ scenario });
    const name = 'ekscluster-eksctl';
    expect(await listInsights(name)).toEqual([]);
    rig.advanceMinutes(10);
    const [raised] = await listInsights(name);
    expect(raised?.insightStatus?.status).toBe('ERROR');
    expect(raised?.lastTransitionTime).toEqual(new Date(rig.start + 600_000));
    const error = await rejectionOf(rig.eks.send(new UpdateClusterVersionCommand({ name, version: '1.19' })));
    expect(error.name).toBe('InvalidStateException');

    rig.advanceMinutes(50);
    const [cleared] = await listInsights(name);
    expect(cleared?.insightStatus).toEqual({
      status: 'PASSING',
      reason: 'No deprecated API usage detected within the last 30 days.',
    });
    const { update } = await rig.eks.send(new UpdateClusterVersionCommand({ name, version: '1.19' }));
    expect(update?.status).toBe('InProgress');
  });
});
