import type { LoggedRequest, SimulatorSnapshot, UpdateRecord } from '../simulator/index.ts';

/** What a run must never do to a cluster, whatever faults it met. */
export interface InvariantContext {
  clusterName: string;
  before: SimulatorSnapshot;
  after: SimulatorSnapshot;
  requestLog: readonly LoggedRequest[];
  dryRun: boolean;
  maxConcurrentNodegroups: number;
  /** Error codes the scenario's faults make AWS answer with; any other refusal is a bug. */
  expectedErrors: readonly string[];
}

/** The errors each simulator fault makes AWS answer with. */
export const errorsByFault: Record<string, readonly string[]> = {
  throttling: ['ThrottlingException', 'Throttling', 'Throttled'],
  'server-errors': ['ServiceUnavailableException', 'ServerException', 'InternalFailure'],
  'update-in-progress': ['ResourceInUseException'],
  'cluster-deleted': ['ResourceNotFoundException', 'ResourceInUseException'],
};

// Version arithmetic of its own: the checker must not share code with the product it checks.
const minor = (version: string) => Number(version.split('.')[1]);
const allowedLag = (kubelet: string) => (minor(kubelet) >= 25 ? 3 : 2);
const param = (update: UpdateRecord, type: string) => update.params.find((p) => p.type === type)?.value;
const isControlPlane = (update: UpdateRecord) =>
  !update.nodegroupName && !update.addonName && update.type === 'VersionUpdate';

/**
 * A read whose "not found" is an answer, not a refusal: no such parameter is how a run learns that no
 * AMI is published (AL2 past 1.32); no such node group, whether a replacement exists yet or an old
 * group is gone.
 */
const isAnswerNotRefusal = (request: LoggedRequest) =>
  !request.mutating &&
  ((request.operation === 'GetParameter' && request.errorCode === 'ParameterNotFound') ||
    (request.operation === 'DescribeNodegroup' && request.errorCode === 'ResourceNotFoundException'));

/**
 * Every rule a run must keep, read from the simulator's request log and update history.
 * @returns one sentence per violation; empty when the run kept them all.
 */
export function checkInvariants(context: InvariantContext): string[] {
  const violations: string[] = [];
  const initial = context.before.clusters.find((cluster) => cluster.name === context.clusterName);
  const final = context.after.clusters.find((cluster) => cluster.name === context.clusterName);
  if (!initial || !final) {
    // A cluster that never existed: the run may only look (and be told it is not there).
    const changes = context.requestLog.filter((request) => request.mutating && request.service !== 'sns');
    return changes.map((request) => `${request.operation} was sent for a cluster that does not exist`);
  }
  const updates = final.updates.filter((update) => update.createdAt >= context.before.now);
  const ours = updates.filter((update) => update.startedBy === 'client');

  for (const request of context.requestLog) {
    if (
      request.errorCode &&
      !context.expectedErrors.includes(request.errorCode) &&
      !isAnswerNotRefusal(request)
    ) {
      violations.push(
        `${request.operation} was refused with ${request.errorCode} (${request.status}), which no fault explains`,
      );
    }
  }
  if (context.dryRun) {
    const mutating = context.requestLog.filter((request) => request.mutating && request.service !== 'sns');
    if (mutating.length > 0) violations.push(`a dry run sent ${mutating.map((r) => r.operation).join(', ')}`);
  }

  // Versions over time: each successful update takes effect when it ends.
  const versionAt = (at: number, nodegroup?: string) => {
    const start = nodegroup
      ? initial.nodegroups.find((ng) => ng.name === nodegroup)?.version
      : initial.version;
    return updates
      .filter(
        (update) => update.status === 'Successful' && (update.endedAt ?? Number.POSITIVE_INFINITY) <= at,
      )
      .filter((update) => (nodegroup ? update.nodegroupName === nodegroup : isControlPlane(update)))
      .reduce((version, update) => param(update, 'Version') ?? version, start ?? '0.0');
  };

  for (const update of updates.filter(isControlPlane)) {
    const from = versionAt(update.createdAt);
    const to = param(update, 'Version') ?? from;
    if (minor(to) - minor(from) !== 1)
      violations.push(`control plane update ${update.id} went ${from} -> ${to}, not one minor`);
    if (update.status !== 'Successful' || update.endedAt === undefined) continue;
    for (const nodegroup of initial.nodegroups) {
      const kubelet = versionAt(update.endedAt - 1, nodegroup.name);
      if (minor(to) - minor(kubelet) > allowedLag(kubelet)) {
        violations.push(
          `control plane reached ${to} while node group ${nodegroup.name} was on ${kubelet}: skew rule broken`,
        );
      }
    }
    const overlapping = ours.filter(
      (other) =>
        other.nodegroupName &&
        other.createdAt < (update.endedAt ?? 0) &&
        (other.endedAt ?? Number.POSITIVE_INFINITY) > update.createdAt,
    );
    for (const other of overlapping) {
      violations.push(
        `node group ${other.nodegroupName} updated while control plane update ${update.id} ran`,
      );
    }
  }

  for (const update of ours.filter((candidate) => candidate.nodegroupName)) {
    const to = param(update, 'Version');
    const controlPlane = versionAt(update.createdAt);
    if (to && minor(to) > minor(controlPlane)) {
      violations.push(
        `node group ${update.nodegroupName} sent to ${to}, newer than the control plane's ${controlPlane}`,
      );
    }
  }

  const nodegroupUpdates = ours.filter((update) => update.nodegroupName);
  for (const update of nodegroupUpdates) {
    const running = nodegroupUpdates.filter(
      (other) =>
        other.createdAt <= update.createdAt && (other.endedAt ?? Number.POSITIVE_INFINITY) > update.createdAt,
    );
    if (running.length > context.maxConcurrentNodegroups) {
      violations.push(
        `${running.length} node group updates ran at once; the input allowed ${context.maxConcurrentNodegroups}`,
      );
    }
  }

  // A retry must get the same update back (idempotency token), never a second one for the same step;
  // the same move again after another one of that resource (a rollback's step back) is a new step.
  const lastByResource = new Map<string, { key: string; id: string }>();
  for (const update of ours) {
    const resource = [update.nodegroupName, update.addonName].join('|');
    const key = [update.type, resource, ...update.params.map((p) => `${p.type}=${p.value}`)].join('|');
    const earlier = lastByResource.get(resource);
    if (earlier?.key === key) violations.push(`update ${update.id} repeats ${earlier.id} (${key})`);
    lastByResource.set(resource, { key, id: update.id });
  }
  return [...new Set(violations)];
}
