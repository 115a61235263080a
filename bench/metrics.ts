// The benchmark's counting: pure functions of what the simulator recorded (its update records) and
// what the workflow did (its task records). No clock, no I/O: tests/bench/metrics.test.ts checks them.

/** What the bench reads of a simulator update record (local/simulator UpdateRecord fits it). */
export interface UpdateLike {
  id: string;
  status: string;
  nodegroupName?: string;
  addonName?: string;
  /** Simulated ms epoch. */
  createdAt: number;
  endedAt?: number;
}

/** What the bench reads of a task record (local/harness TaskRecord fits it). */
export interface TaskLike {
  state: string;
  /** Simulated ms epoch. */
  endedAt: number;
  output?: unknown;
}

export type UpdateKind = 'controlPlane' | 'addon' | 'nodegroup';

export function kindOf(update: Pick<UpdateLike, 'nodegroupName' | 'addonName'>): UpdateKind {
  if (update.nodegroupName) return 'nodegroup';
  return update.addonName ? 'addon' : 'controlPlane';
}

const terminalStatuses = new Set(['Successful', 'Failed', 'Cancelled']);

function reportedEnd(output: unknown): string | undefined {
  if (typeof output !== 'object' || output === null) return undefined;
  if (!('updateId' in output) || !('status' in output)) return undefined;
  const { updateId, status } = output;
  return typeof updateId === 'string' && typeof status === 'string' && terminalStatuses.has(status)
    ? updateId
    : undefined;
}

export interface Detection {
  updateId: string;
  kind: UpdateKind;
  /** Simulated ms epoch: when AWS ended the update, and when the workflow first reported it ended. */
  endedAt: number;
  detectedAt: number;
  /** Simulated seconds between the two: what polling cost this update. */
  latencySeconds: number;
}

/**
 * For each ended update, the first task whose output reported it Successful/Failed/Cancelled, and
 * the simulated seconds in between. Updates no task reported ended (still running, or someone
 * else's) are left out.
 */
export function detectUpdates(updates: readonly UpdateLike[], tasks: readonly TaskLike[]): Detection[] {
  const firstReport = new Map<string, number>();
  for (const task of tasks) {
    const updateId = reportedEnd(task.output);
    if (updateId === undefined) continue;
    const seen = firstReport.get(updateId);
    if (seen === undefined || task.endedAt < seen) firstReport.set(updateId, task.endedAt);
  }
  return updates.flatMap((update) => {
    const detectedAt = firstReport.get(update.id);
    if (update.endedAt === undefined || detectedAt === undefined) return [];
    return [
      {
        updateId: update.id,
        kind: kindOf(update),
        endedAt: update.endedAt,
        detectedAt,
        latencySeconds: (detectedAt - update.endedAt) / 1000,
      },
    ];
  });
}

/** Median of a list (mean of the middle two for an even count); 0 for an empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? 0;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? 0) + upper) / 2;
}

/** One stage as AWS ran it: durations (any unit) of its control-plane update, add-ons and node groups. */
export interface StageDurations {
  controlPlane: number;
  addons: number[];
  nodegroups: number[];
}

/**
 * How long jobs take on `workers` parallel slots when each, in order, starts on the first free slot:
 * what a Step Functions Map with MaxConcurrency does with its items.
 */
export function makespan(durations: readonly number[], workers: number): number {
  const slots = new Array<number>(Math.max(1, Math.floor(workers))).fill(0);
  for (const duration of durations) {
    let earliest = 0;
    for (let slot = 1; slot < slots.length; slot += 1) {
      if ((slots[slot] ?? 0) < (slots[earliest] ?? 0)) earliest = slot;
    }
    slots[earliest] = (slots[earliest] ?? 0) + duration;
  }
  return Math.max(...slots);
}

/**
 * The run had it reacted the instant each update ended: stage after stage, the control plane, then
 * the add-ons one by one, then the node groups on `concurrency` slots.
 */
export function criticalPath(stages: readonly StageDurations[], concurrency: number): number {
  return stages.reduce(
    (total, stage) =>
      total +
      stage.controlPlane +
      stage.addons.reduce((sum, addon) => sum + addon, 0) +
      makespan(stage.nodegroups, concurrency),
    0,
  );
}

/** The updates of one stage, in the order they started. */
export interface UpdateStage<T extends UpdateLike = UpdateLike> {
  controlPlane?: T;
  addons: T[];
  nodegroups: T[];
}

/**
 * Splits a run's updates into its stages: each control-plane update opens a stage (the workflow
 * runs stages one at a time, control plane first); updates before the first one are stage 0.
 */
export function groupIntoStages<T extends UpdateLike>(updates: readonly T[]): Array<UpdateStage<T>> {
  const ordered = [...updates].sort((a, b) => a.createdAt - b.createdAt);
  const stages: Array<UpdateStage<T>> = [];
  let current: UpdateStage<T> = { addons: [], nodegroups: [] };
  const isEmpty = (stage: UpdateStage<T>) =>
    !stage.controlPlane && stage.addons.length === 0 && stage.nodegroups.length === 0;
  for (const update of ordered) {
    const kind = kindOf(update);
    if (kind === 'controlPlane') {
      if (!isEmpty(current)) stages.push(current);
      current = { controlPlane: update, addons: [], nodegroups: [] };
    } else if (kind === 'addon') current.addons.push(update);
    else current.nodegroups.push(update);
  }
  if (!isEmpty(current)) stages.push(current);
  return stages;
}

/** Simulated ms an update ran; one still running counts up to `now`. */
export function durationOf(update: UpdateLike, now: number): number {
  return (update.endedAt ?? now) - update.createdAt;
}

/** The critical path of AWS's own update times, in simulated seconds. */
export function criticalPathSeconds(
  updates: readonly UpdateLike[],
  concurrency: number,
  now: number,
): number {
  const stages = groupIntoStages(updates).map((stage) => ({
    controlPlane: stage.controlPlane ? durationOf(stage.controlPlane, now) : 0,
    addons: stage.addons.map((update) => durationOf(update, now)),
    nodegroups: stage.nodegroups.map((update) => durationOf(update, now)),
  }));
  return criticalPath(stages, concurrency) / 1000;
}

/**
 * Simulated seconds the node-group phases took, summed over stages: from the first node-group
 * update's start to the moment the workflow saw the last one of the stage end.
 */
export function nodegroupPhaseSeconds(
  updates: readonly UpdateLike[],
  detections: readonly Detection[],
  now: number,
): number {
  const detectedAt = new Map(detections.map((detection) => [detection.updateId, detection.detectedAt]));
  let total = 0;
  for (const stage of groupIntoStages(updates)) {
    if (stage.nodegroups.length === 0) continue;
    const start = Math.min(...stage.nodegroups.map((update) => update.createdAt));
    const end = Math.max(
      ...stage.nodegroups.map((update) => detectedAt.get(update.id) ?? update.endedAt ?? now),
    );
    total += end - start;
  }
  return total / 1000;
}

/** What the cluster went through: node-group updates (rotations), and nodes replaced per snapshot. */
export function countRotations(updates: readonly UpdateLike[]): number {
  return updates.filter((update) => kindOf(update) === 'nodegroup').length;
}

interface NodegroupCount {
  name: string;
  instancesReplaced: number;
}

/** Sum of instancesReplaced deltas between two snapshots' node groups. */
export function nodesReplaced(before: readonly NodegroupCount[], after: readonly NodegroupCount[]): number {
  return after.reduce((sum, nodegroup) => {
    const earlier = before.find((candidate) => candidate.name === nodegroup.name)?.instancesReplaced ?? 0;
    return sum + nodegroup.instancesReplaced - earlier;
  }, 0);
}

/** The rolling updates a plan asks for: its node-group steps over all stages. */
export function plannedRotations(plan: {
  stages: ReadonlyArray<{ rolls: ReadonlyArray<{ nodegroups: readonly unknown[] }> }>;
}): number {
  return plan.stages.reduce(
    (sum, stage) => sum + stage.rolls.reduce((inStage, roll) => inStage + roll.nodegroups.length, 0),
    0,
  );
}

/** Polls per update: check tasks whose input named the update, by update id. */
export function pollsPerUpdate(tasks: readonly TaskLike[]): Map<string, number> {
  const polls = new Map<string, number>();
  for (const task of tasks) {
    if (!task.state.startsWith('Check')) continue;
    const output = task.output;
    if (typeof output !== 'object' || output === null || !('updateId' in output)) continue;
    const { updateId } = output;
    if (typeof updateId === 'string') polls.set(updateId, (polls.get(updateId) ?? 0) + 1);
  }
  return polls;
}

/** The nearest-rank percentile (p in 0..1) of a list; 0 for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1] ?? 0;
}

/**
 * The shortest a node-group phase could be, summed over stages, in simulated seconds: no schedule
 * ends before its longest group, nor before the groups' total time spread over `concurrency` slots.
 */
export function nodegroupLowerBoundSeconds(
  updates: readonly UpdateLike[],
  concurrency: number,
  now: number,
): number {
  let total = 0;
  for (const stage of groupIntoStages(updates)) {
    const durations = stage.nodegroups.map((update) => durationOf(update, now));
    if (durations.length === 0) continue;
    const sum = durations.reduce((all, duration) => all + duration, 0);
    total += Math.max(Math.max(...durations), sum / Math.max(1, concurrency));
  }
  return total / 1000;
}

/** One wave of a fleet as it ran: each cluster's AWS critical path, its concurrency and its soak. */
export interface WaveRun {
  clusterSeconds: number[];
  maxConcurrentClusters: number;
  soakSeconds: number;
}

/**
 * The shortest a fleet run could be: wave after wave, each no shorter than its longest cluster nor
 * its clusters' total over its concurrency, with the soak between waves (none after the last).
 */
export function fleetLowerBoundSeconds(waves: readonly WaveRun[]): number {
  return waves.reduce((total, wave, index) => {
    const sum = wave.clusterSeconds.reduce((all, seconds) => all + seconds, 0);
    const longest = wave.clusterSeconds.length > 0 ? Math.max(...wave.clusterSeconds) : 0;
    const soak = index < waves.length - 1 ? wave.soakSeconds : 0;
    return total + Math.max(longest, sum / Math.max(1, wave.maxConcurrentClusters)) + soak;
  }, 0);
}
