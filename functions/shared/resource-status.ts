/**
 * Where a cluster, node group or add-on may rest after a successful update. DEGRADED (an add-on short
 * of replicas, a node group with a health issue) is a warning a person should read, not a failed
 * upgrade: the update did what it was asked, and a rerun could not do better. Check Update and
 * Verify Cluster both decide with this, so they never disagree about a resource.
 */
const settledStatuses: ReadonlySet<string> = new Set(['ACTIVE', 'DEGRADED']);

export function isSettled(status: string | undefined): boolean {
  return status !== undefined && settledStatuses.has(status);
}

export function isDegraded(status: string | undefined): boolean {
  return status === 'DEGRADED';
}
