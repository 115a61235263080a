/** Polling rhythm: never more often than the floor, never rarer than the ceiling. */
export const pollFloorSeconds = 10;
export const pollCeilingSeconds = 300;

/** Typical durations (EKS-FACTS 4.2, and the console's ~25 min control plane). */
export const controlPlaneExpectedSeconds = 25 * 60;
export const addonExpectedSeconds = 3 * 60;

/** A rolling node group update: setup and surge, then each node batch drained and replaced. */
export function nodegroupExpectedSeconds(desiredSize: number, maxUnavailable = 1): number {
  const batches = Math.max(1, Math.ceil(desiredSize / Math.max(1, maxUnavailable)));
  return 7 * 60 + batches * 3 * 60;
}

/**
 * The next wait of an adaptive poll: long while the update is young, halving
 * toward its expected end, then growing slowly while it runs late.
 */
export function nextWaitSeconds(elapsedSeconds: number, expectedSeconds: number): number {
  const remaining = expectedSeconds - elapsedSeconds;
  const wait = remaining > 0 ? remaining / 2 : -remaining / 4;
  return Math.round(Math.min(pollCeilingSeconds, Math.max(pollFloorSeconds, wait)));
}
