import type { UpdateKind } from './types.ts';

// How long to wait before looking at an update again. AWS's durations spread widely (EKS-FACTS 7.7:
// control planes "10-15 min" now, 21-60 min in older reports; add-ons 1-5 min; a node group's
// scale-down tail 10-15 min), so no schedule aims at one expected end. Where AWS shows no progress, a
// phase is polled densely over the whole range its ends are reported in, and sparsely outside it: not
// at all before its fastest reported end, and past its slowest ever less often. A node group shows its
// progress on its Auto Scaling group: the batches are waited out at the pace seen, and the blind
// scale-down tail is timed from when the last old node left.

/** Polling rhythm: never more often than the floor, never rarer than the ceiling. */
export const pollFloorSeconds = 10;
export const pollCeilingSeconds = 300;

/**
 * The wait while an end is likely: an end is seen within it, half of them within half of it. Each poll
 * costs three state transitions (Wait, Check, Choice); a fixed 30 s loop polls the whole update at 30 s.
 */
const denseWaitSeconds = 18;

/** Past the range AWS's ends are reported in, each wait grows by this share of the time past it. */
const shareOfAge = 1 / 20;

/**
 * A stretch of an update AWS shows no progress in, by when its ends are reported (EKS-FACTS 7.7): the
 * first look just under the fastest, dense polling until past the slowest.
 */
interface BlindPhase {
  firstLookSeconds: number;
  denseUntilSeconds: number;
}

const blindPhases = {
  // "10-15 min" in 2025-26 reports; a fair model puts p10 at 8 min and p90 at 18.
  controlPlane: { firstLookSeconds: 7 * 60, denseUntilSeconds: 16 * 60 },
  // "About 1-5 min".
  addon: { firstLookSeconds: 45, denseUntilSeconds: 5 * 60 },
  // A node group without an Auto Scaling group to read: its surge launch alone takes 5-8 min.
  nodegroup: { firstLookSeconds: 5 * 60, denseUntilSeconds: 5 * 60 },
  // The scale-down after the last old node left: "a 10-15 min tail".
  nodegroupTail: { firstLookSeconds: 9 * 60, denseUntilSeconds: 16 * 60 },
  // A node group's rolling settings changed (a ConfigUpdate): no duration is reported; minutes at most.
  nodegroupSettings: { firstLookSeconds: 30, denseUntilSeconds: 5 * 60 },
} satisfies Record<UpdateKind | 'nodegroupTail' | 'nodegroupSettings', BlindPhase>;

/** The wait in a blind phase this many seconds old. */
function blindWaitSeconds(phase: BlindPhase, ageSeconds: number): number {
  if (ageSeconds < phase.firstLookSeconds) return phase.firstLookSeconds - ageSeconds;
  // Past the range, the wait grows from the dense one by a share of the time past it: an end just
  // after the range is still seen soon, and a late one within a tenth of the phase's age.
  return denseWaitSeconds + Math.max(0, ageSeconds - phase.denseUntilSeconds) * shareOfAge;
}

/**
 * Long-but-normal durations (about p90 in EKS-FACTS 7.7) for deadlines and plan estimates, never for
 * polling: a step that would overrun a window at this length does not start.
 */
export const controlPlaneExpectedSeconds = 18 * 60;
export const addonExpectedSeconds = 5 * 60;
/** A node group's rolling settings changed before or after its roll (UNVERIFIED: no duration is reported). */
export const settingsUpdateExpectedSeconds = 10 * 60;

/** A rolling node group update: surge launch (~8 min), ~7 min per batch of nodes, a ~15 min scale-down tail. */
export function nodegroupExpectedSeconds(desiredSize: number, maxUnavailable = 1): number {
  return (8 + rolloutBatches({ nodes: desiredSize, batchSize: maxUnavailable }) * 7 + 15) * 60;
}

/**
 * Replacing a node group: the new one created and ACTIVE (~15 min: launch and join), then the old one
 * deleted (~25 min: each node drained, a pod disruption budget holding one for minutes, then terminated).
 */
export const replacementExpectedSeconds = (15 + 25) * 60;

/** A node group's surge launch and one batch (drain, 60 s after cordon, terminate): EKS-FACTS 7.7's "5-8" and "4-7" min. */
const surgeLaunchSeconds = { fastest: 5 * 60, slowest: 8 * 60 };
const batchSeconds = { fastest: 4 * 60, slowest: 7 * 60 };

const middle = (low: number, high: number) => (low + high) / 2;
const middleOf = (phase: BlindPhase) => middle(phase.firstLookSeconds, phase.denseUntilSeconds);

/** A node group's rolling settings changed: the middle of the range polling covers densely. */
export const typicalSettingsUpdateSeconds = middle(
  blindPhases.nodegroupSettings.firstLookSeconds,
  blindPhases.nodegroupSettings.denseUntilSeconds,
);

/**
 * What an update typically takes, from the ranges polling covers densely: the middle of each.
 * The plan's estimate, reported beside the actual; deadlines use the long-but-normal durations.
 */
export function typicalSeconds(kind: UpdateKind, rollout?: Rollout): number {
  if (kind === 'controlPlane') return middleOf(blindPhases.controlPlane);
  if (kind === 'addon') return middleOf(blindPhases.addon);
  return (
    middle(surgeLaunchSeconds.fastest, surgeLaunchSeconds.slowest) +
    rolloutBatches(rollout ?? { nodes: 1, batchSize: 1 }) *
      middle(batchSeconds.fastest, batchSeconds.slowest) +
    middleOf(blindPhases.nodegroupTail)
  );
}

/** How a node group rolls: the nodes it had when the update began and how many go per batch (maxUnavailable). */
export interface Rollout {
  nodes: number;
  batchSize: number;
}

/** A node group's Auto Scaling group as a check sees it: instances on the new launch template version, out of all not leaving. */
export interface RollingProgress {
  updated: number;
  total: number;
  /** Instances still launching (Pending), and old ones still terminating: the tail has not begun while any are. */
  launching?: number;
  leaving?: number;
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

/** What a check knows of an update besides its age: its kind, a node group's rollout and when its tail began. */
export interface Polled {
  kind: UpdateKind;
  rollout?: Rollout | undefined;
  /** The update's age when a check first saw no old node left and none launching: its scale-down tail began. */
  tailFromSeconds?: number | undefined;
  /** Set on a roll under the input's rollingUpdate: `apply` and `restore` are settings updates. */
  rollingSettings?: { phase: string } | undefined;
}

/** Whether a node group's rolling replacement is over on its Auto Scaling group: only the scale-down is left. */
export function tailHasBegun(progress: RollingProgress): boolean {
  return progress.updated >= progress.total && !progress.launching && !progress.leaving;
}

/**
 * The next wait for an update this many seconds old. A control plane or add-on: its blind phase. A
 * node group with old nodes left: at least half the time those batches need at the pace seen so far
 * (the setup and surge launch counted as one batch, EKS-FACTS 7.7 gives them a like length), as it
 * cannot end before they are gone. Once none is left and none is launching, its tail's blind phase.
 */
export function nextWaitSeconds(update: Polled, elapsedSeconds: number, progress?: RollingProgress): number {
  const wait = rawWaitSeconds(update, elapsedSeconds, progress);
  return Math.min(pollCeilingSeconds, Math.max(pollFloorSeconds, Math.ceil(wait)));
}

/** While replacements launch after the last old node left: a launch takes minutes; the tail's start is wanted to a minute. */
const launchingWaitSeconds = 60;

/** In a node group's last batch: its tail is timed from the check before the one that sees it begun. */
const lastBatchWaitSeconds = 120;

function rawWaitSeconds(update: Polled, elapsedSeconds: number, progress?: RollingProgress): number {
  const phase = update.rollingSettings?.phase;
  if (phase === 'apply' || phase === 'restore')
    return blindWaitSeconds(blindPhases.nodegroupSettings, elapsedSeconds);
  const blind = blindWaitSeconds(blindPhases[update.kind], elapsedSeconds);
  if (update.kind !== 'nodegroup' || !update.rollout || !progress) return blind;
  if (update.tailFromSeconds !== undefined)
    return blindWaitSeconds(blindPhases.nodegroupTail, elapsedSeconds - update.tailFromSeconds);
  if (elapsedSeconds < blindPhases.nodegroup.firstLookSeconds) return blind;
  const oldLeft = Math.max(0, progress.total - progress.updated);
  if (oldLeft === 0) return launchingWaitSeconds;
  const batchesLeft = Math.ceil(oldLeft / Math.max(1, update.rollout.batchSize));
  const batchesDone = Math.max(0, rolloutBatches(update.rollout) - batchesLeft);
  const secondsPerBatch = elapsedSeconds / (batchesDone + 1);
  // In the last batch, often enough to time the tail from its start within a couple of minutes.
  const cap = batchesLeft <= 1 ? lastBatchWaitSeconds : pollCeilingSeconds;
  return Math.min(cap, Math.max(denseWaitSeconds, (batchesLeft * secondsPerBatch) / 2));
}
