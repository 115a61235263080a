// Runs one scenario with one variant (the product's settings, or the naive baseline) on the local
// AWS and measures it with bench/metrics.ts.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type { UpgradePlan } from '../functions/shared/types.ts';
import { LocalAws } from '../local/harness/local-aws.ts';
import { loadScenario, type Scenario } from '../local/simulator/index.ts';
import type { Duration } from '../local/simulator/scenario.ts';
import { readTemplate } from '../scripts/template.ts';
import {
  countRotations,
  criticalPathSeconds,
  detectUpdates,
  kindOf,
  latencySummary,
  nodegroupPhaseSeconds,
  nodesReplaced,
  plannedRotations,
  pollsPerUpdate,
  type UpdateKind,
} from './metrics.ts';
import { fixedWaits, isUpgradePlan, naivePlanRewriter } from './naive.ts';

const execFileAsync = promisify(execFile);

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
 * Runs one setup in a fresh node process (bench/run-variant.ts) and returns its metrics. Several
 * local runs in one process can interfere (module instances and timers outlive their run).
 * @throws Error when the child fails or prints no metrics.
 */
export async function runVariantInProcess(setup: RunSetup): Promise<RunMetrics> {
  const { stdout } = await execFileAsync(
    process.execPath,
    ['--import', 'tsx', 'bench/run-variant.ts', JSON.stringify(setup)],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const metrics: unknown = JSON.parse(stdout);
  if (typeof metrics !== 'object' || metrics === null || !('stateTransitions' in metrics))
    throw new Error(`bench/run-variant.ts printed no metrics for ${JSON.stringify(setup)}`);
  return metrics as RunMetrics;
}

export interface UpdateDetail {
  id: string;
  kind: UpdateKind;
  resource: string;
  status: string;
  /** What the workflow expected (it sets the polling rhythm), and what AWS took, simulated seconds. */
  expectedSeconds: number | null;
  actualSeconds: number;
  polls: number;
  latencySeconds: number | null;
}

export interface RunMetrics {
  scenario: string;
  variant: Variant;
  timingScale: number;
  status: string;
  error?: string;
  maxConcurrentNodegroups: number;
  stateTransitions: number;
  lambdaInvocations: number;
  /** Simulated seconds from start to end of the execution. */
  simulatedSeconds: number;
  criticalPathSeconds: number;
  /** simulatedSeconds / criticalPathSeconds: 1.00 is a run that reacts the instant AWS is done. */
  overhead: number;
  detectionLatencySeconds: { median: number; max: number; updates: number };
  rotations: number;
  /** Node-group steps of the product's plan for this scenario: the fewest rotations the rules allow. */
  plannedRotations: number;
  nodesReplaced: number;
  nodegroupPhaseSeconds: number;
  wallSeconds: number;
  updates: UpdateDetail[];
}

function expectedByUpdate(outputs: readonly unknown[]): Map<string, number> {
  const expected = new Map<string, number>();
  for (const output of outputs) {
    if (typeof output !== 'object' || output === null) continue;
    if (!('updateId' in output) || !('expectedSeconds' in output)) continue;
    if (typeof output.updateId === 'string' && typeof output.expectedSeconds === 'number')
      expected.set(output.updateId, output.expectedSeconds);
  }
  return expected;
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

/** One execution of one scenario with one variant, start to end, on a fresh simulator. */
export async function runVariant(setup: RunSetup): Promise<RunMetrics> {
  const wallStart = performance.now();
  const loaded = loadScenario(setup.scenario);
  const seeded = setup.seed === undefined ? loaded : { ...loaded, seed: setup.seed };
  const scenario = setup.timingScale ? scaleTimings(seeded, setup.timingScale) : seeded;
  const defaults: Record<string, unknown> = scenario.defaultInput ?? { targetVersion: 'next' };
  const concurrency =
    setup.variant !== 'product'
      ? 1
      : (setup.maxConcurrentNodegroups ?? Number(defaults.maxConcurrentNodegroups ?? 1));
  const input = {
    ...defaults,
    clusterName: String(defaults.clusterName ?? scenario.clusters[0]?.name ?? ''),
    maxConcurrentNodegroups: concurrency,
  };
  let originalPlan: UpgradePlan | undefined;

  const aws = await LocalAws.start(scenario);
  try {
    const before = aws.simulator.snapshot();
    const execution = await aws.execute(input, {
      executionName: `bench-${setup.scenario}-${setup.variant}-${concurrency}-x${Math.round((setup.timingScale ?? 1) * 100)}`,
      ...(setup.variant === 'product' ? {} : { waitSecondsOverrides: upgradeFixedWaits() }),
      ...(setup.variant === 'naive'
        ? {
            wrapTask: naivePlanRewriter((plan) => {
              originalPlan = plan;
            }),
          }
        : {}),
    });
    const after = aws.simulator.snapshot();
    const clusterBefore = before.clusters.find((cluster) => cluster.name === input.clusterName);
    const clusterAfter = after.clusters.find((cluster) => cluster.name === input.clusterName);
    const updates = (clusterAfter?.updates ?? []).filter(
      (update) => update.startedBy === 'client' && update.createdAt >= execution.startedAt,
    );
    const detections = detectUpdates(updates, execution.tasks);
    const planOutput = execution.tasks.find((task) => task.state === 'Plan Upgrade')?.output;
    const plan = originalPlan ?? (isUpgradePlan(planOutput) ? planOutput : undefined);
    const simulatedSeconds = (execution.endedAt - execution.startedAt) / 1000;
    const critical = criticalPathSeconds(updates, concurrency, after.now);
    const polls = pollsPerUpdate(execution.tasks);
    const expected = expectedByUpdate(execution.tasks.map((task) => task.output));
    const latency = latencySummary(detections);
    return {
      scenario: setup.scenario,
      variant: setup.variant,
      timingScale: setup.timingScale ?? 1,
      status: execution.status,
      ...(execution.error ? { error: execution.error } : {}),
      maxConcurrentNodegroups: concurrency,
      stateTransitions: execution.stateTransitions,
      lambdaInvocations: execution.lambdaInvocations,
      simulatedSeconds,
      criticalPathSeconds: critical,
      overhead: critical > 0 ? round(simulatedSeconds / critical, 4) : 1,
      detectionLatencySeconds: { ...latency, updates: detections.length },
      rotations: countRotations(updates),
      plannedRotations: plan ? plannedRotations(plan) : 0,
      nodesReplaced: nodesReplaced(clusterBefore?.nodegroups ?? [], clusterAfter?.nodegroups ?? []),
      nodegroupPhaseSeconds: nodegroupPhaseSeconds(updates, detections, after.now),
      wallSeconds: round((performance.now() - wallStart) / 1000),
      updates: updates.map((update) => {
        const detection = detections.find((candidate) => candidate.updateId === update.id);
        return {
          id: update.id,
          kind: kindOf(update),
          resource: update.nodegroupName ?? update.addonName ?? 'control plane',
          status: update.status,
          expectedSeconds: expected.get(update.id) ?? null,
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
