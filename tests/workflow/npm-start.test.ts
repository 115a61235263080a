import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../local/run-summary.ts';

const run = promisify(execFile);

/** `npm start -- <args>` as a person runs it, minus npm itself: the same script, a fresh process. */
async function start(...args: string[]): Promise<{ summary: RunSummary; code: number }> {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'local/run.ts', '--json', ...args]);
    return { summary: JSON.parse(stdout) as RunSummary, code: 0 };
  } catch (error) {
    const { stdout, code } = error as { stdout: string; code: number };
    return { summary: JSON.parse(stdout) as RunSummary, code };
  }
}

describe('npm start', () => {
  it.each([
    'seed',
    'multi-hop',
    'four-nodegroups',
    'ami-refresh',
    'insight-blocked',
    'ami-release',
    'window',
    'bake-rollback',
    'waves',
  ])('changes nothing under --dry-run in the %s scenario, triggers included', async (scenario) => {
    const { summary } = await start('--scenario', scenario, '--dry-run');
    expect(summary.mutatingCalls).toBe(0);
    expect(summary.invariantViolations).toEqual([]);
    expect(summary.nodegroups.every((nodegroup) => nodegroup.rotations === 0)).toBe(true);
  });

  it('upgrades the seed cluster to 1.19 and prints one JSON summary', async () => {
    const { summary, code } = await start();
    expect(code).toBe(0);
    expect(summary).toMatchObject({
      cluster: 'ekscluster-eksctl',
      from: '1.18',
      to: '1.19',
      status: 'SUCCEEDED',
    });
    expect(summary.steps.map((step) => [step.kind, step.status])).toEqual([
      ['controlPlane', 'Successful'],
      ['addon', 'Successful'],
      ['nodegroup', 'Successful'],
    ]);
    // The metrics the steps emitted: each update started once, and its duration as AWS ran it.
    const started = (summary.metrics ?? []).filter((metric) => metric.name === 'UpdatesStarted');
    expect(started.map((metric) => [metric.dimensions.Kind, metric.sum])).toEqual([
      ['controlPlane', 1],
      ['addon', 1],
      ['nodegroup', 1],
    ]);
    // From EKS's createdAt to the check that saw the end: AWS's time plus the detection latency.
    const durations = (summary.metrics ?? []).filter((metric) => metric.name === 'UpdateSeconds');
    summary.steps.forEach((step, index) => {
      expect(durations[index]?.sum).toBeGreaterThanOrEqual(step.simulatedSeconds);
      expect(durations[index]?.sum).toBeLessThanOrEqual(step.simulatedSeconds + 120);
    });
    // AWS's own control-plane time: minutes, never more than the hour EKS-FACTS 7.7 gives as its max.
    expect(summary.steps[0]?.simulatedSeconds).toBeGreaterThan(60);
    expect(summary.steps[0]?.simulatedSeconds).toBeLessThanOrEqual(60 * 60);
    expect(summary.nodegroups).toEqual([
      expect.objectContaining({
        name: 'managednodegroup',
        from: '1.18',
        to: '1.19',
        rotations: 1,
        instancesReplaced: 3,
      }),
    ]);
    expect(summary.mutatingCalls).toBe(3);
    expect(summary.stateTransitions).toBeGreaterThan(10);
  });

  it('ends SUCCEEDED for every seed, each drawing other durations', async () => {
    const runs = await Promise.all(['2', '3', '4'].map((seed) => start('--seed', seed)));
    for (const { summary, code } of runs) {
      expect(code).toBe(0);
      expect(summary.status).toBe('SUCCEEDED');
      expect(summary.nodegroups).toEqual([expect.objectContaining({ to: '1.19', instancesReplaced: 3 })]);
    }
    const durations = runs.map(({ summary }) => summary.steps.map((step) => step.simulatedSeconds).join());
    expect(new Set(durations).size).toBe(runs.length);
  });

  it('draws the same durations from the same seed', async () => {
    const [first, second] = await Promise.all([start('--seed', '5'), start('--seed', '5')]);
    expect(first.summary.steps.map((step) => step.simulatedSeconds)).toEqual(
      second.summary.steps.map((step) => step.simulatedSeconds),
    );
    expect(first.summary.simulatedSeconds).toBe(second.summary.simulatedSeconds);
  });

  it('prints the largest execution history and payload against the Step Functions quotas', async () => {
    const { summary } = await start();
    // Every state writes at least an entered and an exited event; the quotas are 25,000 and 256 KiB.
    expect(summary.historyEvents).toBeGreaterThan(2 * summary.stateTransitions);
    expect(summary.historyEvents).toBeLessThan(25_000);
    expect(summary.maxPayloadBytes).toBeGreaterThan(1000);
    expect(summary.maxPayloadBytes).toBeLessThan(262_144);
  });

  it('prints the quota counts for a scheduled fleet run too', async () => {
    const { summary } = await start('--scenario', 'window');
    expect(summary.historyEvents).toBeGreaterThan(2 * 10);
    expect(summary.maxPayloadBytes).toBeGreaterThan(1000);
  });

  it('takes a 1.24 cluster to 1.30 with the fewest node rotations the skew rule allows', async () => {
    const { summary, code } = await start('--scenario', 'multi-hop', '--target', '1.30');
    expect(code).toBe(0);
    expect(summary).toMatchObject({ from: '1.24', to: '1.30', status: 'SUCCEEDED' });
    for (const nodegroup of summary.nodegroups) expect(nodegroup).toMatchObject({ to: '1.30', rotations: 3 });
  });

  it('refreshes only the node groups behind the recommended AMI release', async () => {
    const { summary, code } = await start('--scenario', 'ami-refresh', '--target', 'none');
    expect(code).toBe(0);
    expect(summary.from).toBe(summary.to);
    const rolled = summary.nodegroups
      .filter((nodegroup) => nodegroup.rotations > 0)
      .map((nodegroup) => nodegroup.name);
    expect(rolled.sort()).toEqual(['apps', 'legacy-al2']);
    for (const nodegroup of summary.nodegroups.filter((candidate) => candidate.rotations > 0)) {
      expect(nodegroup.releaseTo).not.toBe(nodegroup.releaseFrom);
    }
  });

  it('reports a failed run with its EKS error code and exits non-zero', async () => {
    const { summary, code } = await start('--fault', 'pdb-blocked');
    expect(code).toBe(1);
    expect(summary).toMatchObject({ status: 'FAILED', error: 'PodEvictionFailure' });
  });

  it('bake-rollback: ends ROLLED_BACK on 1.30, add-ons back, node groups untouched, the gate named; SUCCEEDED on 1.31 with the alarm quiet', async () => {
    const { summary, code } = await start('--scenario', 'bake-rollback');
    expect(code).toBe(1);
    expect(summary).toMatchObject({
      status: 'ROLLED_BACK',
      from: '1.30',
      to: '1.30',
      error: 'UpgradeRolledBackError',
    });
    expect(summary.cause).toContain('alarm checkout-5xx');
    expect(summary.cause).toContain('vpc-cni -> v1.17.1-eksbuild.1');
    expect(
      summary.nodegroups.every((nodegroup) => nodegroup.rotations === 0 && nodegroup.instancesReplaced === 0),
    ).toBe(true);
    expect(summary.invariantViolations).toEqual([]);

    const quiet = await start('--scenario', 'bake-rollback', '--quiet-alarms');
    expect(quiet.code).toBe(0);
    expect(quiet.summary).toMatchObject({ status: 'SUCCEEDED', to: '1.31' });
  });
});
