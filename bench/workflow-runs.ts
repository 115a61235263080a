// Runs one scenario with one variant (the product's settings, or the naive baseline) on the local
// AWS and measures it with bench/metrics.ts.
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { UpgradePlan } from '../functions/shared/types.ts';
import { type ExecutionResult, LocalAws } from '../local/harness/local-aws.ts';
import { clusterWithNodegroups, fleetOfClusters } from '../local/simulator/generated.ts';
import { loadScenario, type Scenario } from '../local/simulator/index.ts';
import type { Duration } from '../local/simulator/scenario.ts';
import { readTemplate } from '../scripts/template.ts';
import {
  countRotations,
  criticalPathSeconds,
  detectUpdates,
  fleetLowerBoundSeconds,
  kindOf,
  nodegroupLowerBoundSeconds,
  nodegroupPhaseSeconds,
  nodesReplaced,
  plannedRotations,
  pollsPerUpdate,
  type UpdateKind,
  type UpdateLike,
} from './metrics.ts';
import { fixedWaits, isUpgradePlan, naivePlanRewriter } from './naive.ts';

/**
 * product: the workflow as deployed. naive: every Wait held at 30 s, one node group at a time, every
 * group rolled at every hop. eksctl: a waiter on status every 30 s, the control plane then each group
 * in order, one at a time, rolled as the product's plan says (eksctl upgrade cluster, then nodegroup).
 */
export type Variant = 'product' | 'naive' | 'eksctl';

export const variants: readonly Variant[] = ['product', 'naive', 'eksctl'];

export interface RunSetup {
  scenario: string;
  variant: Variant;
  /** Replaces the scenario's maxConcurrentNodegroups (the naive variant always runs one at a time). */
  maxConcurrentNodegroups?: number;
  /** Multiplies every simulator timing: AWS slower (> 1) or faster (< 1) than the workflow expects. */
  timingScale?: number;
  /** The simulator's seed: which draw of its timing distributions this run gets (default the scenario's). */
  seed?: number;
}

export function isRunSetup(value: unknown): value is RunSetup {
  if (typeof value !== 'object' || value === null) return false;
  if (!('scenario' in value) || typeof value.scenario !== 'string') return false;
  if (!('variant' in value) || !variants.some((variant) => variant === value.variant)) return false;
  if ('timingScale' in value && typeof value.timingScale !== 'number') return false;
  if ('seed' in value && typeof value.seed !== 'number') return false;
  return !('maxConcurrentNodegroups' in value) || typeof value.maxConcurrentNodegroups === 'number';
}

/** A scenario whose AWS takes `factor` times as long for everything it does: every duration's percentiles scaled. */
export function scaleTimings(scenario: Scenario, factor: number): Scenario {
  const scale = (d: Duration): Duration => ({
    ...(d.p10 === undefined ? {} : { p10: d.p10 * factor }),
    median: d.median * factor,
    p90: d.p90 * factor,
    ...(d.p99 === undefined ? {} : { p99: d.p99 * factor }),
    max: d.max * factor,
  });
  const t = scenario.timings;
  return {
    ...scenario,
    timings: {
      ...t,
      controlPlaneUpdate: scale(t.controlPlaneUpdate),
      nodegroupSetup: scale(t.nodegroupSetup),
      instanceLaunch: scale(t.instanceLaunch),
      podEviction: scale(t.podEviction),
      instanceTerminate: scale(t.instanceTerminate),
      scaleDown: scale(t.scaleDown),
      addonUpdate: scale(t.addonUpdate),
      podEvictionTimeoutMinutes: t.podEvictionTimeoutMinutes * factor,
      clusterDeletionMinutes: t.clusterDeletionMinutes * factor,
    },
  };
}

/**
 * A bench worker process (bench/run-variant.ts) that runs jobs one at a time. Runs in one process
 * are sequential, each with a simulator, an engine and function modules of its own.
 */
export class BenchWorker {
  private readonly child: ChildProcess;

  constructor() {
    this.child = fork('bench/run-variant.ts', [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
  }

  /** @throws Error when the worker fails the job or exits before answering. */
  run(setup: RunSetup, seeds: readonly number[]): Promise<RunMetrics[]> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`bench worker exited (${code}) during ${JSON.stringify(setup)}`));
      this.child.once('exit', onExit);
      this.child.once('message', (answer: { runs?: RunMetrics[]; error?: string }) => {
        this.child.off('exit', onExit);
        if (answer.runs) resolve(answer.runs);
        else reject(new Error(`bench job ${JSON.stringify(setup)} failed: ${answer.error}`));
      });
      this.child.send({ setup, seeds });
    });
  }

  close(): void {
    this.child.disconnect();
  }
}

export interface UpdateDetail {
  id: string;
  kind: UpdateKind;
  resource: string;
  status: string;
  /** What AWS took, simulated seconds; the checks made; seconds from its end to the check that saw it. */
  actualSeconds: number;
  polls: number;
  latencySeconds: number | null;
}

export interface RunMetrics {
  scenario: string;
  variant: Variant;
  seed: number;
  timingScale: number;
  status: string;
  error?: string;
  maxConcurrentNodegroups: number;
  /** Every execution's, parts and a fleet's cluster executions included: what Step Functions bills. */
  stateTransitions: number;
  lambdaInvocations: number;
  /** Events in the largest single history, and the largest state payload (bytes), of any execution. */
  largestHistoryEvents: number;
  maxPayloadBytes: number;
  /** Simulated seconds from start to end of the execution. */
  simulatedSeconds: number;
  /** AWS's own time a run must wait out (updates, insights refreshes; for a fleet, its waves' lower bound). */
  criticalPathSeconds: number;
  /** simulatedSeconds / criticalPathSeconds: 1.00 is a run that reacts the instant AWS is done. */
  overhead: number;
  /** Seconds from each update's end to the check that saw it. */
  latencies: number[];
  rotations: number;
  /** Node-group steps of the product's plan for this scenario: the fewest rotations the rules allow. */
  plannedRotations: number;
  nodesReplaced: number;
  /** Node-group phases as the run went through them, and the shortest they could be (metrics.ts). */
  nodegroupPhaseSeconds: number;
  nodegroupLowerBoundSeconds: number;
  /** The plan's estimate of the run (null for a fleet: each cluster has its own). */
  estimatedSeconds: number | null;
  wallSeconds: number;
  updates: UpdateDetail[];
}

/** The definitions of a cluster upgrade and its parts (stage and roll executions), as template.yaml names them. */
export function upgradeDefinitions(): unknown[] {
  const { Resources } = readTemplate();
  return ['UpgradeClusterStateMachine', 'UpgradeStageStateMachine', 'RollNodegroupStateMachine'].map(
    (logicalId) => {
      const uri = Resources[logicalId]?.Properties?.DefinitionUri;
      if (typeof uri !== 'string') throw new Error(`template.yaml has no ${logicalId}`);
      return JSON.parse(readFileSync(uri, 'utf8')) as unknown;
    },
  );
}

/** The naive baseline's polling: every Wait state of the upgrade and its parts held fixed. */
export function upgradeFixedWaits(): Record<string, number> {
  return Object.assign({}, ...upgradeDefinitions().map((definition) => fixedWaits(definition)));
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** The bench's generated scenarios: a 40-node-group cluster taken 1.24 -> 1.33, and a 20-cluster fleet in waves. */
export const largeClusterScenario = 'forty-nodegroups';
export const fleetScenario = 'fleet-20';

/** What one bench scenario runs: its world, the state machine and its input. */
interface BenchRun {
  scenario: Scenario;
  stateMachine?: string;
  input: Record<string, unknown>;
  fleetWaves?: Array<{ clusters: string[]; maxConcurrentClusters: number; soakSeconds: number }>;
}

function benchRun(name: string): BenchRun {
  if (name === largeClusterScenario) {
    const scenario = clusterWithNodegroups(40);
    return {
      scenario,
      input: { clusterName: 'legacy-cluster', targetVersion: '1.33', maxConcurrentNodegroups: 10 },
    };
  }
  if (name === fleetScenario) {
    const scenario = fleetOfClusters(20);
    const names = scenario.clusters.map((cluster) => cluster.name);
    // A canary pair, then six three at a time, then the other twelve six at a time.
    const waves = [
      { name: 'canary', clusters: names.slice(0, 2), maxConcurrentClusters: 2, soakSeconds: 1800 },
      { name: 'early', clusters: names.slice(2, 8), maxConcurrentClusters: 3, soakSeconds: 1800 },
      { name: 'rest', clusters: names.slice(8), maxConcurrentClusters: 6, soakSeconds: 0 },
    ];
    return {
      scenario,
      stateMachine: 'UpgradeFleetStateMachine',
      input: {
        waves: waves.map((wave) => ({
          name: wave.name,
          clusters: wave.clusters.map((cluster) => `${cluster}=1.31`).join(','),
          maxConcurrentClusters: wave.maxConcurrentClusters,
          soakMinutes: wave.soakSeconds / 60,
        })),
        window: { start: scenario.startTime, minutes: 1440 },
      },
      fleetWaves: waves,
    };
  }
  const scenario = loadScenario(name);
  const defaults: Record<string, unknown> = scenario.defaultInput ?? { targetVersion: 'next' };
  return {
    scenario,
    input: { ...defaults, clusterName: String(defaults.clusterName ?? scenario.clusters[0]?.name ?? '') },
  };
}

/** The plans Plan Upgrade returned (a fleet's: one per cluster). */
function plansIn(tasks: ExecutionResult['tasks']): UpgradePlan[] {
  return tasks.flatMap((task) =>
    task.state === 'Plan Upgrade' && isUpgradePlan(task.output) ? [task.output] : [],
  );
}

/** Every node group of every cluster by cluster/name, with the nodes it has replaced so far. */
function nodegroupsOf(snapshot: ReturnType<LocalAws['simulator']['snapshot']>) {
  return snapshot.clusters.flatMap((cluster) =>
    cluster.nodegroups.map((nodegroup) => ({
      name: `${cluster.name}/${nodegroup.name}`,
      instancesReplaced: nodegroup.instancesReplaced,
    })),
  );
}

/** One execution of one scenario with one variant, start to end, on a fresh simulator. */
export async function runVariant(setup: RunSetup): Promise<RunMetrics> {
  const wallStart = performance.now();
  const run = benchRun(setup.scenario);
  const seeded = setup.seed === undefined ? run.scenario : { ...run.scenario, seed: setup.seed };
  const scenario = setup.timingScale ? scaleTimings(seeded, setup.timingScale) : seeded;
  const concurrency =
    setup.variant !== 'product'
      ? 1
      : (setup.maxConcurrentNodegroups ?? Number(run.input.maxConcurrentNodegroups ?? 1));
  const input = run.fleetWaves ? run.input : { ...run.input, maxConcurrentNodegroups: concurrency };
  const originalPlans: UpgradePlan[] = [];

  const aws = await LocalAws.start(scenario);
  try {
    const before = aws.simulator.snapshot();
    const execution = await aws.execute(input, {
      executionName: `bench-${setup.scenario}-${setup.variant}-${concurrency}-x${Math.round((setup.timingScale ?? 1) * 100)}`,
      ...(run.stateMachine ? { stateMachine: run.stateMachine } : {}),
      ...(setup.variant === 'product' ? {} : { waitSecondsOverrides: upgradeFixedWaits() }),
      ...(setup.variant === 'naive'
        ? { wrapTask: naivePlanRewriter((plan) => originalPlans.push(plan)) }
        : {}),
    });
    // A fleet's cluster executions are executions of their own: every one counts.
    const executions = await Promise.all(aws.executionsSoFar().map((entry) => entry.result));
    const tasks = executions.flatMap((result) => result.tasks);
    const after = aws.simulator.snapshot();
    const since = (at: number) => at >= execution.startedAt;
    const clusterUpdates = after.clusters.map((cluster) => ({
      name: cluster.name,
      // Version and add-on updates: a rollingUpdate's settings updates are neither rotations nor AWS's critical path.
      updates: cluster.updates.filter(
        (update) =>
          update.startedBy === 'client' && since(update.createdAt) && update.type !== 'ConfigUpdate',
      ),
      refreshSeconds: (cluster.insightsRefreshes ?? [])
        .filter((refresh) => since(refresh.startedAt))
        .reduce((sum, refresh) => sum + ((refresh.endedAt ?? after.now) - refresh.startedAt) / 1000, 0),
    }));
    const updates: UpdateLike[] = clusterUpdates.flatMap((cluster) => cluster.updates);
    const clusterSeconds = (cluster: (typeof clusterUpdates)[number]) =>
      criticalPathSeconds(cluster.updates, concurrency, after.now) + cluster.refreshSeconds;
    const critical = run.fleetWaves
      ? fleetLowerBoundSeconds(
          run.fleetWaves.map((wave) => ({
            clusterSeconds: wave.clusters.map((name) => {
              const cluster = clusterUpdates.find((candidate) => candidate.name === name);
              return cluster ? clusterSeconds(cluster) : 0;
            }),
            maxConcurrentClusters: wave.maxConcurrentClusters,
            soakSeconds: wave.soakSeconds,
          })),
        )
      : clusterUpdates.reduce((sum, cluster) => sum + clusterSeconds(cluster), 0);
    const detections = detectUpdates(updates, tasks);
    const plans = originalPlans.length > 0 ? originalPlans : plansIn(tasks);
    const simulatedSeconds = (execution.endedAt - execution.startedAt) / 1000;
    const polls = pollsPerUpdate(tasks);
    const perCluster = (measure: (updates: UpdateLike[]) => number) =>
      clusterUpdates.reduce((sum, cluster) => sum + measure(cluster.updates), 0);
    return {
      scenario: setup.scenario,
      variant: setup.variant,
      seed: scenario.seed,
      timingScale: setup.timingScale ?? 1,
      status: execution.status,
      ...(execution.error ? { error: execution.error } : {}),
      maxConcurrentNodegroups: concurrency,
      stateTransitions: executions.reduce((sum, result) => sum + result.stateTransitions, 0),
      lambdaInvocations: executions.reduce((sum, result) => sum + result.lambdaInvocations, 0),
      largestHistoryEvents: Math.max(...executions.map((result) => result.largestHistoryEvents)),
      maxPayloadBytes: Math.max(...executions.map((result) => result.maxPayloadBytes)),
      simulatedSeconds,
      criticalPathSeconds: round(critical),
      overhead: critical > 0 ? round(simulatedSeconds / critical, 4) : 1,
      latencies: detections.map((detection) => detection.latencySeconds),
      rotations: countRotations(updates),
      plannedRotations: plans.reduce((sum, plan) => sum + plannedRotations(plan), 0),
      nodesReplaced: nodesReplaced(nodegroupsOf(before), nodegroupsOf(after)),
      nodegroupPhaseSeconds: perCluster((own) => nodegroupPhaseSeconds(own, detections, after.now)),
      nodegroupLowerBoundSeconds: perCluster((own) =>
        nodegroupLowerBoundSeconds(own, concurrency, after.now),
      ),
      estimatedSeconds: run.fleetWaves ? null : (plans[0]?.estimatedSeconds ?? null),
      wallSeconds: round((performance.now() - wallStart) / 1000),
      updates: updates.map((update) => {
        const detection = detections.find((candidate) => candidate.updateId === update.id);
        return {
          id: update.id,
          kind: kindOf(update),
          resource: update.nodegroupName ?? update.addonName ?? 'control plane',
          status: update.status,
          actualSeconds: ((update.endedAt ?? after.now) - update.createdAt) / 1000,
          polls: polls.get(update.id) ?? 0,
          latencySeconds: detection ? detection.latencySeconds : null,
        };
      }),
    };
  } finally {
    await aws.close();
  }
}
