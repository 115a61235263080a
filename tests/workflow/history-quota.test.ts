import { describe, expect, it } from 'vitest';
import { historyEventLimit, payloadLimitBytes } from '../../local/harness/execution-history.ts';
import { LocalAws } from '../../local/harness/local-aws.ts';
import { loadScenario, type Scenario } from '../../local/simulator/index.ts';
import { clusterState } from './helpers.ts';

const input = { clusterName: 'legacy-cluster', targetVersion: '1.33' };

/**
 * multi-hop's cluster with `count` AL2023 node groups on 1.24: its catalog (Kubernetes versions,
 * AL2023 releases, add-on versions) reaches 1.33, so the plan is nine control-plane hops with the
 * node groups' updates inside the one execution's inline Maps.
 */
function withNodegroups(count: number, slowdown = 1): Scenario {
  const scenario = loadScenario('multi-hop');
  const [cluster] = scenario.clusters;
  const template = cluster?.nodegroups.find((nodegroup) => nodegroup.amiType === 'AL2023_x86_64_STANDARD');
  if (!cluster || !template) throw new Error('multi-hop has no AL2023 node group to copy');
  cluster.nodegroups = Array.from({ length: count }, (_, index) => ({
    ...template,
    name: `ng-${String(index + 1).padStart(3, '0')}`,
    autoScalingGroupName: `eks-ng-${index + 1}-asg`,
  }));
  // Every node-group step's distribution stretched: what AWS on a bad day does to the history.
  // (Evictions stay as they are: past EKS's 15-minute drain timeout they would fail the update instead.)
  for (const step of ['instanceLaunch', 'instanceTerminate', 'scaleDown'] as const) {
    const timing = scenario.timings[step];
    scenario.timings[step] = Object.fromEntries(
      Object.entries(timing).map(([key, value]) => [key, (value ?? 0) * slowdown]),
    ) as typeof timing;
  }
  return scenario;
}

async function upgrade(scenario: Scenario) {
  const aws = await LocalAws.start(scenario);
  try {
    const result = await aws.execute(input);
    const versions = clusterState(aws, input.clusterName).nodegroups.map((nodegroup) => nodegroup.version);
    const publishes = aws.simulator.requestLog.filter((request) => request.operation === 'Publish');
    return { result, versions: new Set(versions), publishes };
  } finally {
    await aws.close();
  }
}

// Run times on this machine (2 shared CPUs): 5-25 s each, with load; hence the 60 s timeouts.
describe('Step Functions quotas on a large upgrade', () => {
  it('takes 40 node groups 1.24 -> 1.33 inside both quotas, barely (about 19,000 events, 130 KB)', async () => {
    const { result, versions } = await upgrade(withNodegroups(40));
    expect(result.status).toBe('SUCCEEDED');
    expect(versions).toEqual(new Set(['1.33']));
    expect(result.historyEvents).toBeGreaterThan(historyEventLimit / 3);
    expect(result.historyEvents).toBeLessThan(historyEventLimit);
    expect(result.maxPayloadBytes).toBeGreaterThan(payloadLimitBytes / 3);
    expect(result.maxPayloadBytes).toBeLessThan(payloadLimitBytes);
  }, 60_000);

  it('fails the same upgrade with node groups four times slower at 25,000 events, no Catch running', async () => {
    const { result, publishes } = await upgrade(withNodegroups(40, 4));
    expect(result).toMatchObject({
      status: 'FAILED',
      error: 'States.Runtime',
      cause: `The execution reached the maximum number of history events (${historyEventLimit}).`,
      historyEvents: historyEventLimit,
    });
    expect(result.tasks.map((task) => task.state)).not.toContain('Notify Failure');
    // The definition sent only its start message; the EventBridge rule on the status change tells the rest.
    expect(publishes).toHaveLength(2);
    expect(String(publishes[0]?.params.Subject)).not.toMatch(/fail/i);
    expect(String(publishes[1]?.params.Message)).toMatch(
      /ended FAILED, possibly where the workflow could not report it \(a history or payload quota/,
    );
  }, 60_000);

  it('fails a 100-node-group upgrade at 25,000 events, no Catch running', async () => {
    // On AWS's timings the history quota comes first, half-way through (the payload limit itself is
    // tested in tests/unit/harness/execution-history.test.ts).
    const { result, publishes } = await upgrade(withNodegroups(100));
    expect(result).toMatchObject({
      status: 'FAILED',
      error: 'States.Runtime',
      historyEvents: historyEventLimit,
    });
    expect(result.maxPayloadBytes).toBeLessThan(payloadLimitBytes);
    expect(result.tasks.map((task) => task.state)).not.toContain('Notify Failure');
    expect(publishes.map((publish) => String(publish.params.Message))).toEqual([
      expect.any(String),
      expect.stringContaining('possibly where the workflow could not report it'),
    ]);
  }, 60_000);
});
