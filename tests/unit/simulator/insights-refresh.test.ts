import {
  DescribeInsightCommand,
  DescribeInsightsRefreshCommand,
  type InsightsFilter,
  ListInsightsCommand,
  StartInsightsRefreshCommand,
  UpdateClusterVersionCommand,
} from '@aws-sdk/client-eks';
import { afterEach, describe, expect, it } from 'vitest';
import { loadScenario, type Scenario } from '../../../local/simulator/index.ts';
import { rejectionOf, startRig, type TestRig } from './support.ts';

let rig: TestRig;

afterEach(async () => {
  await rig.close();
});

async function listInsights(clusterName: string, filter: InsightsFilter = {}) {
  const { insights = [] } = await rig.eks.send(new ListInsightsCommand({ clusterName, filter }));
  return insights;
}

/** multi-hop, with its 1.25 deprecated-API finding resolved ten minutes in. */
function resolvedAtTenMinutes(): Scenario {
  const scenario = loadScenario('multi-hop');
  const finding = scenario.clusters[0]?.insights.find(
    (i) => i.kubernetesVersion === '1.25' && i.status === 'WARNING',
  );
  finding?.changes.push({ atSecond: 600, status: 'PASSING', reason: 'No deprecated API usage detected.' });
  return scenario;
}

const deprecated125: InsightsFilter = { kubernetesVersions: ['1.25'], statuses: ['WARNING'] };

/** The 1.25 deprecated-API finding while it is a WARNING (the kubelet skew finding is one too, for ng-123's lag). */
async function deprecatedWarnings(clusterName: string) {
  return (await listInsights(clusterName, deprecated125)).filter((i) =>
    i.name?.startsWith('Deprecated APIs'),
  );
}

describe('StartInsightsRefresh and DescribeInsightsRefresh', () => {
  it('runs IN_PROGRESS for a short time, then COMPLETED, and ListInsights then shows the current state', async () => {
    rig = await startRig({ scenario: resolvedAtTenMinutes() });
    const name = 'legacy-cluster';
    rig.advanceMinutes(20);
    // EKS has not recomputed since the start: the finding it last saw is still reported.
    expect(await deprecatedWarnings(name)).toHaveLength(1);

    const started = await rig.eks.send(new StartInsightsRefreshCommand({ clusterName: name }));
    expect(started.status).toBe('IN_PROGRESS');
    const running = await rig.eks.send(new DescribeInsightsRefreshCommand({ clusterName: name }));
    expect(running).toMatchObject({ status: 'IN_PROGRESS', startedAt: new Date(rig.now()) });
    expect(running.endedAt).toBeUndefined();

    rig.advanceMinutes(2);
    const done = await rig.eks.send(new DescribeInsightsRefreshCommand({ clusterName: name }));
    expect(done).toMatchObject({ status: 'COMPLETED', endedAt: new Date(rig.now()) });
    expect(await deprecatedWarnings(name)).toEqual([]);
    const [resolved] = await listInsights(name, { kubernetesVersions: ['1.25'], statuses: ['PASSING'] });
    expect(resolved).toMatchObject({
      name: 'Deprecated APIs removed in Kubernetes v1.25',
      insightStatus: { status: 'PASSING', reason: 'No deprecated API usage detected.' },
      lastRefreshTime: new Date(rig.now()),
      lastTransitionTime: new Date(rig.now()),
    });
  });

  it('answers ResourceNotFoundException before any refresh was started', async () => {
    rig = await startRig();
    const error = await rejectionOf(
      rig.eks.send(new DescribeInsightsRefreshCommand({ clusterName: 'ekscluster-eksctl' })),
    );
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.$metadata?.httpStatusCode).toBe(404);
  });

  it('is not a mutating call, so a dry run may refresh insights and read them', async () => {
    rig = await startRig({ scenario: 'multi-hop' });
    const clusterName = 'legacy-cluster';
    await rig.eks.send(new StartInsightsRefreshCommand({ clusterName }));
    await rig.eks.send(new DescribeInsightsRefreshCommand({ clusterName }));
    const [first] = await listInsights(clusterName);
    await rig.eks.send(new DescribeInsightCommand({ clusterName, id: first?.id }));
    expect(rig.simulator.requestLog.map((r) => [r.operation, r.mutating])).toEqual([
      ['StartInsightsRefresh', false],
      ['DescribeInsightsRefresh', false],
      ['ListInsights', false],
      ['DescribeInsight', false],
    ]);
  });
});

describe("EKS's own 24-hour insight cycle", () => {
  it('picks up a change without an on-demand refresh a day after the last computation', async () => {
    rig = await startRig({ scenario: resolvedAtTenMinutes() });
    rig.advanceMinutes(23 * 60);
    expect(await deprecatedWarnings('legacy-cluster')).toHaveLength(1);
    rig.advanceMinutes(60);
    expect(await deprecatedWarnings('legacy-cluster')).toEqual([]);
  });
});

describe('recomputed insights', () => {
  it('recompute the kubelet version skew from the node groups as they are', async () => {
    const scenario = loadScenario('multi-hop');
    const ng123 = scenario.clusters[0]?.nodegroups.find((ng) => ng.name === 'ng-123');
    if (ng123) Object.assign(ng123, { version: '1.22', releaseVersion: '1.22.17-20230217' });
    rig = await startRig({ scenario });
    const skew: InsightsFilter = { kubernetesVersions: ['1.25'], categories: ['UPGRADE_READINESS'] };
    const before = (await listInsights('legacy-cluster', skew)).find(
      (i) => i.name === 'Kubelet version skew',
    );
    expect(before?.insightStatus?.status).toBe('PASSING'); // as the scenario declared it

    await rig.eks.send(new StartInsightsRefreshCommand({ clusterName: 'legacy-cluster' }));
    rig.advanceMinutes(2);
    const after = (await listInsights('legacy-cluster', skew)).find((i) => i.name === 'Kubelet version skew');
    expect(after?.insightStatus).toEqual({
      status: 'ERROR',
      reason: 'Node groups ng-123 would be outside the supported kubelet version skew of v1.25.',
    });
  });

  it('list ROLLBACK_READINESS only within 7 days after an upgrade', async () => {
    rig = await startRig();
    const name = 'ekscluster-eksctl';
    const rollback: InsightsFilter = { categories: ['ROLLBACK_READINESS'] };
    await rig.eks.send(new UpdateClusterVersionCommand({ name, version: '1.19' }));
    rig.advanceMinutes(25);
    await rig.eks.send(new StartInsightsRefreshCommand({ clusterName: name }));
    rig.advanceMinutes(2);
    expect(await listInsights(name, rollback)).toMatchObject([
      {
        category: 'ROLLBACK_READINESS',
        kubernetesVersion: '1.18',
        insightStatus: { status: 'PASSING', reason: 'No node runs kubelet v1.19.' },
      },
      {
        name: 'Add-on version compatibility for rollback',
        category: 'ROLLBACK_READINESS',
        insightStatus: { status: 'PASSING' },
      },
    ]);
    rig.advanceMinutes(8 * 24 * 60);
    expect(await listInsights(name, rollback)).toEqual([]);
  });
});

describe('DescribeInsight', () => {
  it('describes one insight with a recommendation, and answers 404 for an unknown id', async () => {
    rig = await startRig({ scenario: 'multi-hop' });
    const [summary] = await listInsights('legacy-cluster', deprecated125);
    const { insight } = await rig.eks.send(
      new DescribeInsightCommand({ clusterName: 'legacy-cluster', id: summary?.id }),
    );
    expect(insight).toMatchObject({
      id: summary?.id,
      name: summary?.name,
      insightStatus: summary?.insightStatus,
      recommendation: expect.any(String),
      resources: [],
    });
    const error = await rejectionOf(
      rig.eks.send(new DescribeInsightCommand({ clusterName: 'legacy-cluster', id: 'no-such-insight' })),
    );
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.$metadata?.httpStatusCode).toBe(404);
  });
});
