import { describe, expect, it } from 'vitest';
import { LocalAws } from '../../local/harness/local-aws.ts';
import { clusterWithNodegroups as withNodegroups } from '../../local/simulator/generated.ts';
import type { Scenario } from '../../local/simulator/index.ts';
import { clusterState } from './helpers.ts';

const input = { clusterName: 'legacy-cluster', targetVersion: '1.33' };

async function upgrade(scenario: Scenario, targetVersion = input.targetVersion) {
  const aws = await LocalAws.start(scenario);
  try {
    const result = await aws.execute({ ...input, targetVersion });
    const versions = clusterState(aws, input.clusterName).nodegroups.map((nodegroup) => nodegroup.version);
    return { result, versions: new Set(versions) };
  } finally {
    await aws.close();
  }
}

/** Under these, the largest execution of a run is far from either quota (25,000 events, 256 KiB). */
const historyTarget = 2_500;
const payloadTarget = 64 * 1024;

// Run times on this machine (2 shared CPUs): 10-60 s each, with load; hence the long timeouts.
describe('Step Functions quotas on a large upgrade', () => {
  it('takes 40 node groups 1.24 -> 1.33 with every history under 2,500 events and 64 KiB', async () => {
    const { result, versions } = await upgrade(withNodegroups(40));
    expect(result.status).toBe('SUCCEEDED');
    expect(versions).toEqual(new Set(['1.33']));
    // The upgrade's own history holds the plan, one task per stage and the end: about a hundred events.
    expect(result.historyEvents).toBeLessThan(200);
    expect(result.largestHistoryEvents).toBeLessThan(historyTarget);
    expect(result.maxPayloadBytes).toBeLessThan(payloadTarget);
  }, 120_000);

  it('takes the same upgrade with node groups four times slower, the histories no longer', async () => {
    const { result, versions } = await upgrade(withNodegroups(40, { slowdown: 4 }));
    expect(result.status).toBe('SUCCEEDED');
    expect(versions).toEqual(new Set(['1.33']));
    expect(result.largestHistoryEvents).toBeLessThan(historyTarget);
  }, 180_000);

  it('takes 100 node groups 1.24 -> 1.33 with every payload under 64 KiB', async () => {
    const { result, versions } = await upgrade(withNodegroups(100));
    expect(result.status).toBe('SUCCEEDED');
    expect(versions).toEqual(new Set(['1.33']));
    expect(result.largestHistoryEvents).toBeLessThan(historyTarget);
    expect(result.maxPayloadBytes).toBeLessThan(payloadTarget);
  }, 180_000);

  it("follows a roll longer than one roll execution's poll budget in a new execution, to its end", async () => {
    // 150 nodes drained one at a time: about 17 simulated hours, past 100 polls at most 5 min apart.
    const { result, versions } = await upgrade(withNodegroups(1, { nodes: 150 }), '1.25');
    expect(result.status).toBe('SUCCEEDED');
    expect(versions).toEqual(new Set(['1.25']));
    const rolls = result.tasks.filter((task) => task.state === 'Roll Node Group');
    expect(result.tasks.filter((task) => task.state === 'Check Node Group Update').length).toBeGreaterThan(
      100,
    );
    expect(rolls.length).toBeGreaterThan(1);
    // Each continuation picks up the same update; none starts another.
    const updateIds = new Set(
      rolls.map((task) => (task.output as { Output: { updateId: string } }).Output.updateId),
    );
    expect(updateIds.size).toBe(1);
    expect(result.tasks.filter((task) => task.state === 'Update Node Group')).toHaveLength(1);
    expect(result.largestHistoryEvents).toBeLessThan(historyTarget);
  }, 120_000);
});
