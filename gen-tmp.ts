import { upgradeFixedWaits } from './bench/workflow-runs.ts';
import { LocalAws } from './local/harness/local-aws.ts';
import { clusterWithNodegroups, fleetOfClusters } from './local/simulator/generated.ts';

const which = process.argv[2];
if (which === 'fleet') {
  const scenario = fleetOfClusters(20);
  const names = scenario.clusters.map((c) => c.name);
  const list = (a: number, b: number) =>
    names
      .slice(a, b)
      .map((n) => `${n}=1.31`)
      .join(',');
  const input = {
    waves: [
      { name: 'canary', clusters: list(0, 2), soakMinutes: 30 },
      { name: 'early', clusters: list(2, 8), soakMinutes: 30, maxConcurrentClusters: 3 },
      { name: 'rest', clusters: list(8, 20), maxConcurrentClusters: 6 },
    ],
    window: { start: scenario.startTime, minutes: 1440 },
  };
  for (const fixed of [false, true]) {
    const aws = await LocalAws.start(scenario);
    const t = performance.now();
    const r = await aws.execute(input, {
      stateMachine: 'UpgradeFleetStateMachine',
      ...(fixed ? { waitSecondsOverrides: upgradeFixedWaits() } : {}),
    });
    console.log(
      fixed ? 'eksctl' : 'product',
      r.status,
      r.error,
      r.stateTransitions,
      r.lambdaInvocations,
      r.largestHistoryEvents,
      r.maxPayloadBytes,
      ((performance.now() - t) / 1000).toFixed(1),
      's wall',
      ((r.endedAt - r.startedAt) / 3600000).toFixed(1),
      'h sim',
    );
    await aws.close();
  }
} else {
  const scenario = clusterWithNodegroups(40);
  const aws = await LocalAws.start(scenario);
  const t = performance.now();
  const r = await aws.execute(
    { clusterName: 'legacy-cluster', targetVersion: '1.33', maxConcurrentNodegroups: 1 },
    { waitSecondsOverrides: upgradeFixedWaits() },
  );
  console.log(
    'eksctl',
    r.status,
    r.stateTransitions,
    r.lambdaInvocations,
    r.largestHistoryEvents,
    r.maxPayloadBytes,
    ((performance.now() - t) / 1000).toFixed(1),
    's wall',
    ((r.endedAt - r.startedAt) / 3600000).toFixed(1),
    'h sim',
  );
  await aws.close();
}
