/** Polling rhythm: never more often than the floor, never rarer than the ceiling. */
export const pollFloorSeconds = 10;
export const pollCeilingSeconds = 300;

/**
 * Within this many seconds of the expected end, waits halve instead of landing on it. A run gets
 * there only from an odd start: an update adopted midway, or a resource that lagged behind its update.
 */
const finalApproachSeconds = 60;

/** Past the expected end, the shortest wait: a late update is seen within this. */
const lateWaitSeconds = 30;

/** Typical durations (EKS-FACTS 4.2, and the console's ~25 min control plane). */
export const controlPlaneExpectedSeconds = 25 * 60;
export const addonExpectedSeconds = 3 * 60;

/**
 * A rolling node group update: setup and surge, then each node batch drained and replaced.
 * One minute of setup, four to launch the surge, three per batch (evict, terminate), two to scale
 * down: the simulator's model of EKS's nine steps, which it matches to the second while the
 * replacement nodes are ready before the last batch ends (surge >= nodes - maxUnavailable).
 */
export function nodegroupExpectedSeconds(desiredSize: number, maxUnavailable = 1): number {
  const batches = Math.max(1, Math.ceil(desiredSize / Math.max(1, maxUnavailable)));
  return 7 * 60 + batches * 3 * 60;
}

/**
 * The next wait of an adaptive poll. Until the expected end is a ceiling away, wait the ceiling
 * (an early end is seen within it), leaving a last leg of at least half a ceiling; then one wait
 * that lands exactly on the expected end. Past it, every 30 s, or a quarter of the overrun once that
 * is longer: a late update is seen within 30 s, a very late one (evictions stuck behind a budget)
 * within a quarter of its lateness, for few polls.
 */
export function nextWaitSeconds(elapsedSeconds: number, expectedSeconds: number): number {
  const remaining = expectedSeconds - elapsedSeconds;
  let wait: number;
  if (remaining <= 0) wait = Math.max(lateWaitSeconds, -remaining / 4);
  else if (remaining <= finalApproachSeconds)
    wait = remaining / 2 >= pollFloorSeconds ? remaining / 2 : remaining;
  else if (remaining <= pollCeilingSeconds) wait = remaining;
  else wait = Math.min(pollCeilingSeconds, remaining - pollCeilingSeconds / 2);
  // Rounded up: a wait that lands on the expected end never lands a fraction of a second before it.
  return Math.min(pollCeilingSeconds, Math.max(pollFloorSeconds, Math.ceil(wait)));
}
