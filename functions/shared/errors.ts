/**
 * Every error a step throws on purpose. Each class sets a literal `name`
 * because the state machine's ErrorEquals matches on it (and minifiers mangle
 * class names); tests/unit/asl-errors.test.ts keeps the two lists in step.
 */

/**
 * A step's decision, told as an error: bad input, a refusal, a gate that failed. It ends the run by
 * name and is no fault of the step (metrics count it apart from faults).
 */
export class DecisionError extends Error {}

/** A step saying "not yet": the state machine retries it (metrics count it as waiting). */
export class WaitingError extends Error {}

/** The execution input is malformed: nothing was called. */
export class InvalidInputError extends DecisionError {
  override readonly name = 'InvalidInputError';
}

/** The cluster is outside the names this stack was deployed to upgrade (its ClusterNamePattern). */
export class ClusterNotAllowedError extends DecisionError {
  override readonly name = 'ClusterNotAllowedError';
}

/** The cluster named in the input does not exist in this account and region. */
export class ClusterNotFoundError extends DecisionError {
  override readonly name = 'ClusterNotFoundError';
}

/** The cluster is in a state (CREATING, DELETING, FAILED, ...) that no upgrade may start from. */
export class ClusterNotReadyError extends DecisionError {
  override readonly name = 'ClusterNotReadyError';
}

/** The target version is older than what the cluster or a node group already runs. */
export class DowngradeRefusedError extends DecisionError {
  override readonly name = 'DowngradeRefusedError';
}

/** The target version is not one this run can reach. */
export class UnsupportedTargetError extends DecisionError {
  override readonly name = 'UnsupportedTargetError';
}

/** Upgrade-readiness insights in ERROR for a hop, and the input did not accept them. */
export class InsightsBlockUpgradeError extends DecisionError {
  override readonly name = 'InsightsBlockUpgradeError';
}

/**
 * The next step cannot end before the run's deadline: the run stops cleanly (not a failure),
 * and the next upgrade window continues from there.
 */
export class UpgradeDeferredError extends DecisionError {
  override readonly name = 'UpgradeDeferredError';
}

/** A node group named in the input is not a managed node group of the cluster. */
export class NodegroupNotFoundError extends DecisionError {
  override readonly name = 'NodegroupNotFoundError';
}

/**
 * Another update (not one this run can adopt) holds the cluster or node group.
 * Transient: EKS allows one update at a time, so the state machine retries it with backoff.
 */
export class UpdateInProgressError extends WaitingError {
  override readonly name = 'UpdateInProgressError';
}

/** The insights refresh this hop's gate waits for is still running; the state machine retries. */
export class InsightsRefreshPendingError extends WaitingError {
  override readonly name = 'InsightsRefreshPendingError';
}

/** Another running execution upgrades the same cluster: this one refuses before any change. */
export class ClusterBusyError extends DecisionError {
  override readonly name = 'ClusterBusyError';
}

/** An AWS response lacked a field the workflow cannot go on without. */
export class UnexpectedResponseError extends Error {
  override readonly name = 'UnexpectedResponseError';
}

/** After the updates, the cluster is not what the plan said it would be. */
export class VerificationFailedError extends DecisionError {
  override readonly name = 'VerificationFailedError';
}

/** A bake's gate failed (an alarm, a health issue) and the input says stop: the cluster stays where the hop left it. */
export class HealthGateFailedError extends DecisionError {
  override readonly name = 'HealthGateFailedError';
}

/**
 * A gate failed and the run rolled the hop back: the control plane and the hop's add-ons are on
 * the versions they had before it. The upgrade did not happen; the Cause says why and what moved.
 */
export class UpgradeRolledBackError extends DecisionError {
  override readonly name = 'UpgradeRolledBackError';
}

/** A rollback EKS would refuse (its rules, EKS-FACTS 7.1), refused before anything moved. */
export class RollbackRefusedError extends DecisionError {
  override readonly name = 'RollbackRefusedError';
}

/** The cluster's last run ended at a failed gate and the input does not acknowledge it. */
export class EarlierGateFailureError extends DecisionError {
  override readonly name = 'EarlierGateFailureError';
}

/** A bake's alarm is in ALARM before the upgrade began: nothing was changed. */
export class AlarmsAlreadyFiringError extends DecisionError {
  override readonly name = 'AlarmsAlreadyFiringError';
}

/** A rollback stopped half-way: the Cause says what is back and what is not. */
export class RollbackIncompleteError extends DecisionError {
  override readonly name = 'RollbackIncompleteError';
}

/** An AL2 node group cannot be replaced as asked (its role, launch template or replacement name): nothing was changed. */
export class ReplacementRefusedError extends DecisionError {
  override readonly name = 'ReplacementRefusedError';
}

/** A replacement node group did not come up, or the old one did not go: the Cause says where each is. */
export class ReplacementFailedError extends DecisionError {
  override readonly name = 'ReplacementFailedError';
}

/** Nodes outside managed node groups would fall outside the skew rule (acceptUnmanagedSkew not set). */
export class UnmanagedSkewError extends DecisionError {
  override readonly name = 'UnmanagedSkewError';
}

/**
 * The step ran out of Lambda time (middy stops it a second early, so the failure is logged and
 * counted). A fault, retried as a Lambda timeout is: every step is safe to run again.
 */
export class StepTimedOutError extends Error {
  override readonly name = 'StepTimedOutError';
}

/** Names of the errors above, in the order the state machine routes them. */
export const workflowErrorNames = [
  'InvalidInputError',
  'ClusterNotAllowedError',
  'ClusterNotFoundError',
  'ClusterNotReadyError',
  'DowngradeRefusedError',
  'UnsupportedTargetError',
  'InsightsBlockUpgradeError',
  'UpgradeDeferredError',
  'NodegroupNotFoundError',
  'UpdateInProgressError',
  'InsightsRefreshPendingError',
  'ClusterBusyError',
  'UnexpectedResponseError',
  'VerificationFailedError',
  'HealthGateFailedError',
  'UpgradeRolledBackError',
  'RollbackRefusedError',
  'EarlierGateFailureError',
  'AlarmsAlreadyFiringError',
  'RollbackIncompleteError',
  'ReplacementRefusedError',
  'ReplacementFailedError',
  'UnmanagedSkewError',
  'StepTimedOutError',
] as const;

/** True when an AWS SDK error carries the given exception name. */
export function isAwsError(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}
