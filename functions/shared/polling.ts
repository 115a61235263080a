import type { UpdateKind } from './types.ts';

// How long to wait before looking at an update again. AWS's durations spread widely (EKS-FACTS 7.7: a
// control plane takes 8 min at p10, 11 at the median, 18 at p90, 40 at p99 and up to 60), so no schedule
// aims at one expected end: after a first look, each wait is a share of the update's age, so the time
// between the end and its detection stays a small share of the duration whether AWS takes 8 or 60 min.

/** Polling rhythm: never more often than the floor, never rarer than the ceiling. */
export const pollFloorSeconds = 10;
export const pollCeilingSeconds = 300;

/** The shortest wait once an update is under way: fewer polls than a 30 s loop, a late end seen within it. */
const shortestWaitSeconds = 30;

/** Each wait is this share of the update's age: detected within a tenth of its duration (past the floor). */
const shareOfAge = 1 / 10;

/**
 * The first look, just under the shortest durations reported for each kind (EKS-FACTS 7.7): control
 * plane 8 min at p10 ("10-15 min" typical), add-ons 1-5 min, a node group's surge launch alone 5-8 min.
 */
const firstLookSeconds: Record<UpdateKind, number> = { controlPlane: 5 * 60, addon: 60, nodegroup: 5 * 60 };

/**
 * Long-but-normal durations (about p90 in EKS-FACTS 7.7) for deadlines and plan estimates, never for
 * polling: a step that would overrun a window at this length does not start.
 */
export const controlPlaneExpectedSeconds = 18 * 60;
export const addonExpectedSeconds = 5 * 60;

/** A rolling node group update: surge launch (~8 min), ~7 min per batch of nodes, a ~15 min scale-down tail. */
export function nodegroupExpectedSeconds(desiredSize: number, maxUnavailable = 1): number {
  return (8 + rolloutBatches({ nodes: desiredSize, batchSize: maxUnavailable }) * 7 + 15) * 60;
}

/**
 * Replacing a node group: the new one created and ACTIVE (~15 min: launch and join), then the old one
 * deleted (~25 min: each node drained, a pod disruption budget holding one for minutes, then terminated).
 */
export const replacementExpectedSeconds = (15 + 25) * 60;

/** How a node group rolls: the nodes it had when the update began and how many go per batch (maxUnavailable). */
export interface Rollout {
  nodes: number;
  batchSize: number;
}

/** Instances on the node group's new launch template version, out of all not terminating (from its ASG). */
export interface RollingProgress {
  updated: number;
  total: number;
}

/** Nodes EKS drains at once in a rolling update: maxUnavailable, or its share of the nodes (EKS's default 1). */
export function batchSizeOf(
  config: { maxUnavailable?: number | undefined; maxUnavailablePercentage?: number | undefined } | undefined,
  nodes: number,
): number {
  if (config?.maxUnavailable) return config.maxUnavailable;
  if (config?.maxUnavailablePercentage)
    return Math.max(1, Math.floor((nodes * config.maxUnavailablePercentage) / 100));
  return 1;
}

function rolloutBatches({ nodes, batchSize }: Rollout): number {
  return Math.max(1, Math.ceil(nodes / Math.max(1, batchSize)));
}

/**
 * The next wait for an update of this kind, this many seconds old. Before the first look, the rest of
 * the way to it. After it, a tenth of the age (30 s to 300 s). A node group with old nodes left waits
 * at least half the time those batches need at the pace seen so far (the setup and surge launch counted
 * as one batch, EKS-FACTS 7.7 gives them a like length): it cannot end before they are gone. Once no old
 * node is left only the scale-down tail remains, whose length AWS shows nowhere: back to a tenth of the age.
 */
export function nextWaitSeconds(
  update: { kind: UpdateKind; rollout?: Rollout | undefined },
  elapsedSeconds: number,
  progress?: RollingProgress,
): number {
  const firstLook = firstLookSeconds[update.kind];
  let wait = elapsedSeconds < firstLook ? firstLook - elapsedSeconds : elapsedSeconds * shareOfAge;
  if (elapsedSeconds >= firstLook && update.rollout && progress) {
    const oldLeft = Math.max(0, progress.total - progress.updated);
    if (oldLeft > 0) {
      const batchesLeft = Math.ceil(oldLeft / Math.max(1, update.rollout.batchSize));
      const batchesDone = Math.max(0, rolloutBatches(update.rollout) - batchesLeft);
      const secondsPerBatch = elapsedSeconds / (batchesDone + 1);
      wait = Math.max(wait, (batchesLeft * secondsPerBatch) / 2);
    }
  }
  return Math.min(pollCeilingSeconds, Math.max(shortestWaitSeconds, Math.ceil(wait)));
}
