/** Polling rhythm: never more often than the floor, never rarer than the ceiling. */
export const pollFloorSeconds = 10;
export const pollCeilingSeconds = 300;

/** Toward the expected end, halve the remaining time only while the half is at least this long. */
const shortestHalfSeconds = 60;

/** Past the expected end, the shortest wait: an update that runs a little late is seen within it. */
const lateWaitSeconds = 30;

/** Past the expected end, the wait grows with the overrun: this share of it, once above the shortest. */
const lateShareOfOverrun = 1 / 8;

/** Typical durations (EKS-FACTS 4.2, and the console's ~25 min control plane). */
export const controlPlaneExpectedSeconds = 25 * 60;
export const addonExpectedSeconds = 3 * 60;

/**
 * A rolling node group update: setup and surge, then each node batch drained and replaced.
 * One minute of setup, four to launch the surge, three per batch (evict, terminate), two to scale
 * down: the simulator's model of EKS's steps, which it matches to the second while the surge covers
 * all but the last batch of nodes.
 */
export function nodegroupExpectedSeconds(desiredSize: number, maxUnavailable = 1): number {
  const batches = Math.max(1, Math.ceil(desiredSize / Math.max(1, maxUnavailable)));
  return 7 * 60 + batches * 3 * 60;
}

/**
 * The next wait of an adaptive poll: the ceiling while the update is young, then halving toward its
 * expected end while the half is at least a minute, then one wait that lands exactly on the expected
 * end. Within the last minute (reached only from an odd start: an update adopted midway, a resource
 * that lagged behind its update) it halves down to the floor instead. Past the expected end, 30 s,
 * or an eighth of the overrun once that is longer (4 min late): a late update is seen within 30 s,
 * a very late one (evictions stuck behind a budget) within an eighth of its lateness, for few polls.
 */
export function nextWaitSeconds(elapsedSeconds: number, expectedSeconds: number): number {
  const remaining = expectedSeconds - elapsedSeconds;
  const half = remaining / 2;
  let wait: number;
  if (remaining <= 0) wait = Math.max(lateWaitSeconds, -remaining * lateShareOfOverrun);
  else if (remaining < shortestHalfSeconds) wait = half >= pollFloorSeconds ? half : remaining;
  else wait = half >= shortestHalfSeconds ? half : remaining;
  // Rounded up: a wait that lands on the expected end never lands a fraction of a second before it.
  return Math.min(pollCeilingSeconds, Math.max(pollFloorSeconds, Math.ceil(wait)));
}
