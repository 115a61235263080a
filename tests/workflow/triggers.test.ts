import { describe, expect, it } from 'vitest';
import { LocalAws } from '../../local/harness/local-aws.ts';
import { loadScenario } from '../../local/simulator/index.ts';
import { runTrigger } from '../../local/triggers.ts';

async function withTrigger<T>(
  name: string,
  inspect: (aws: LocalAws, run: Awaited<ReturnType<typeof runTrigger>>) => T,
) {
  const scenario = loadScenario(name);
  if (!scenario.trigger) throw new Error(`scenario ${name} has no trigger`);
  const aws = await LocalAws.start(scenario, { fleetClusters: scenario.trigger.fleet });
  try {
    return inspect(aws, await runTrigger(aws, scenario.trigger, () => undefined));
  } finally {
    await aws.close();
  }
}

describe('a new AMI release, end to end', () => {
  it('is announced, starts one AMI refresh, rolls the node groups behind it, and a duplicate starts nothing', async () => {
    await withTrigger('ami-release', (aws, run) => {
      const published = aws.simulator
        .snapshot()
        .published.filter((message) => message.topicArn.endsWith('AmiReleaseTopic'));
      expect(published).toHaveLength(1);
      expect(JSON.parse(published[0]?.message ?? '{}')).toMatchObject({
        releaseVersion: '1.32.12-20261126',
        clusters: ['refresh-cluster'],
      });
      // One fleet run, named from the release and its clusters, though the message was delivered
      // twice: the fleet's concurrency and a one-window deadline bound the refresh.
      expect(run.executions.map((execution) => [execution.executionName, execution.status])).toEqual([
        ['ami-1.32.12-20261126-refresh-cluster', 'SUCCEEDED'],
        ['refresh-cluster-ami-1.32.12-20261126-20261125T0300Z', 'SUCCEEDED'],
      ]);
      const starts = aws.simulator.requestLog.filter((request) => request.operation === 'StartExecution');
      expect(starts.map((request) => request.errorCode ?? 'started')).toEqual([
        'started',
        'ExecutionAlreadyExists',
      ]);
      const cluster = aws.simulator.snapshot().clusters[0];
      const releases = Object.fromEntries(
        (cluster?.nodegroups ?? []).map((ng) => [ng.name, ng.releaseVersion]),
      );
      expect(releases).toMatchObject({
        system: '1.32.12-20261126',
        apps: '1.32.12-20261126',
        'legacy-al2': '1.32.9-20251108',
      });
    });
  });
});

describe('upgrade windows', () => {
  it('defers what does not fit, finishes in the next window, and a repeated schedule starts nothing twice', async () => {
    await withTrigger('window', (aws, run) => {
      const children = run.executions.filter((execution) =>
        execution.executionName.startsWith('ekscluster-eksctl-'),
      );
      expect(children.map((child) => child.executionName)).toEqual([
        'ekscluster-eksctl-20261125T0200Z',
        'ekscluster-eksctl-20261126T0200Z',
      ]);
      expect(children[0]?.output).toMatchObject({ deferral: { Error: 'UpgradeDeferredError' } });
      expect(children[1]?.output).not.toHaveProperty('deferral');
      expect(aws.simulator.snapshot().clusters[0]).toMatchObject({
        version: '1.19',
        nodegroups: [{ version: '1.19' }],
      });
      const updates = aws.simulator.requestLog.filter(
        (request) => request.mutating && request.service === 'eks',
      );
      expect(updates.map((request) => request.operation)).toEqual([
        'UpdateClusterVersion',
        'UpdateAddon',
        'UpdateNodegroupVersion',
      ]);
      // The repeated schedule starts nothing and says how the window's earlier execution really
      // ended: its outcome, read from its output.
      expect(run.steps.at(-1)?.what).toContain(
        'ekscluster-eksctl: UPGRADED (1.19 -> 1.19), by an earlier execution of this window',
      );
    });
  });
});

describe('a fleet run', () => {
  const window = { start: '2026-11-25T02:00:00Z', minutes: 240 };

  it('lets every cluster run to its own end when one is refused, and says so for each', async () => {
    const aws = await LocalAws.start(loadScenario('seed'));
    try {
      const fleet = await aws.execute(
        { clusters: 'no-such-cluster=1.19,ekscluster-eksctl=1.19', window },
        { stateMachine: 'UpgradeFleetStateMachine', executionName: 'fleet-1' },
      );
      expect(fleet).toMatchObject({ status: 'FAILED', error: 'FleetClustersFailed' });
      expect(aws.simulator.snapshot().clusters[0]).toMatchObject({
        version: '1.19',
        nodegroups: [{ version: '1.19' }],
      });
      const summary = aws.simulator
        .snapshot()
        .published.find((message) => message.subject?.startsWith('EKS fleet'));
      expect(summary?.subject).toBe('EKS fleet fleet-1: 1 of 2 FAILED');
      expect(summary?.message).toContain('- ekscluster-eksctl: UPGRADED (1.18 -> 1.19)');
      expect(summary?.message).toContain('- no-such-cluster: FAILED');
      expect(summary?.message).toContain('ClusterNotFoundError: ');
    } finally {
      await aws.close();
    }
  });

  it('reports a cluster whose execution in this window failed as FAILED when the window runs again', async () => {
    const aws = await LocalAws.start(loadScenario('seed'));
    try {
      const run = (executionName: string) =>
        aws.execute(
          { clusters: 'no-such-cluster=1.19', window },
          { stateMachine: 'UpgradeFleetStateMachine', executionName },
        );
      await run('fleet-1');
      const again = await run('fleet-1-again');
      expect(again).toMatchObject({ status: 'FAILED', error: 'FleetClustersFailed' });
      expect(again.cause).toContain('- no-such-cluster: FAILED, by an earlier execution of this window');
    } finally {
      await aws.close();
    }
  });
});
