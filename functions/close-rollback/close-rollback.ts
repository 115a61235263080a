import {
  ClusterStatus,
  DescribeAddonCommand,
  DescribeClusterCommand,
  type EKSClient,
} from '@aws-sdk/client-eks';
import {
  RollbackIncompleteError,
  UpgradeRolledBackError,
  VerificationFailedError,
} from '../shared/errors.ts';
import { type CaughtError, readFailure } from '../shared/step-failure.ts';
import type { RollbackPlan, StageResult, UpdateProgress } from '../shared/types.ts';
import { recordOf } from '../shared/update-records.ts';

export interface CloseRollbackEvent {
  clusterName: string;
  /** The stage's index: a rollback a person asked for reports as its stage. */
  index: number;
  rollback: RollbackPlan;
  controlPlaneUpdate: UpdateProgress;
  addonUpdates: UpdateProgress[];
}

export interface CloseRollbackDeps {
  eks: EKSClient;
}

/**
 * Verifies the rollback from what EKS reports (control plane back and ACTIVE, each add-on on the
 * version it had before the hop). A failed gate's rollback then ends the stage by name: the upgrade
 * was rolled back. One a person asked for is the stage's result.
 * @throws UpgradeRolledBackError saying which gate failed, what was rolled back and what was not;
 *   VerificationFailedError when the cluster is not where the rollback should have left it.
 */
export async function closeRollback(
  event: CloseRollbackEvent,
  { eks }: CloseRollbackDeps,
): Promise<StageResult> {
  const { clusterName, rollback } = event;
  const problems: string[] = [];
  const { cluster } = await eks.send(new DescribeClusterCommand({ name: clusterName }));
  if (cluster?.version !== rollback.controlPlane.to)
    problems.push(
      `the control plane is on ${cluster?.version ?? 'an unknown version'}, not ${rollback.controlPlane.to}`,
    );
  if (cluster?.status !== ClusterStatus.ACTIVE)
    problems.push(`the cluster is ${cluster?.status ?? 'unknown'}, not ACTIVE`);
  // Undone last first: an add-on's last step holds the version it had before the hop.
  const endsOn = new Map(rollback.addons.map((step) => [step.name, step.to]));
  for (const [addonName, version] of endsOn) {
    const { addon } = await eks.send(new DescribeAddonCommand({ clusterName, addonName }));
    if (addon?.addonVersion !== version)
      problems.push(`add-on ${addonName} is on ${addon?.addonVersion ?? 'unknown'}, not ${version}`);
  }
  const failed = rollback.reason;
  if (problems.length > 0) {
    // After a failed gate, a rollback that did not land is an incomplete one: the next run must know.
    const Failure = rollback.automatic ? RollbackIncompleteError : VerificationFailedError;
    throw new Failure(
      `${failed} The rollback ran, but ${problems.join('; ')}. Look at the cluster before running again.`,
    );
  }
  const update = event.controlPlaneUpdate;
  if (!rollback.automatic) {
    return {
      index: event.index,
      controlPlane: recordOf(update),
      addons: event.addonUpdates.map(recordOf),
      nodegroups: {
        rolled: 0,
        skipped: 0,
        adopted: 0,
        fastestMinutes: null,
        slowestMinutes: null,
        updates: [],
      },
    };
  }
  const addons = event.addonUpdates.map(
    (step) =>
      `${step.addonName} -> ${step.target} (${step.updateId ? `update ${step.updateId}` : (step.note ?? step.status)})`,
  );
  throw new UpgradeRolledBackError(
    [
      failed,
      `Rolled back: control plane ${rollback.controlPlane.from} -> ${rollback.controlPlane.to} (${update.updateId ? `VersionRollback update ${update.updateId}` : (update.note ?? update.status)})${addons.length > 0 ? `; add-ons ${addons.join(', ')}` : ''}.`,
      rollback.untouched,
      `The cluster is verified on ${rollback.controlPlane.to}. Fix what the gate saw, then run the upgrade again.`,
    ].join(' '),
  );
}

export interface IncompleteRollbackEvent {
  clusterName: string;
  rollback: RollbackPlan;
  /** The error that stopped the rollback, as a Catch recorded it. */
  error: CaughtError;
}

/**
 * A rollback that stopped half-way (an add-on update failed, EKS refused the control plane's): says
 * what is back and what is not, from what EKS reports now. Add-ons moved back are on versions EKS
 * offers on the hop's version (Plan Rollback checked), so the cluster is in a supported state.
 * @throws RollbackIncompleteError, always.
 */
export async function reportIncompleteRollback(
  event: IncompleteRollbackEvent,
  { eks }: CloseRollbackDeps,
): Promise<never> {
  const { clusterName, rollback } = event;
  const { error, cause } = readFailure(event.error);
  const { cluster } = await eks.send(new DescribeClusterCommand({ name: clusterName }));
  const back: string[] = [];
  const notBack: string[] = [];
  for (const [addonName, version] of new Map(rollback.addons.map((step) => [step.name, step.to]))) {
    // The report must get out whatever it finds: an add-on gone since is reported as unknown.
    const now = await eks.send(new DescribeAddonCommand({ clusterName, addonName })).then(
      ({ addon }) => addon?.addonVersion,
      () => undefined,
    );
    (now === version ? back : notBack).push(`${addonName} ${now ?? 'unknown'}`);
  }
  const controlPlane =
    cluster?.version === rollback.controlPlane.to
      ? `the control plane is back on ${cluster.version}`
      : `the control plane is still on ${cluster?.version ?? 'an unknown version'}`;
  throw new RollbackIncompleteError(
    [
      rollback.reason,
      `The rollback stopped with ${error}: ${cause}`,
      `Now ${controlPlane}; add-ons back: ${back.join(', ') || 'none'}; not back: ${notBack.join(', ') || 'none'}.`,
      'Every add-on moved back runs on both versions. Look at the cluster, then roll back by hand (eks-upgrade rollback) or run the upgrade again.',
    ].join(' '),
  );
}
