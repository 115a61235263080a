import {
  DescribeAddonCommand,
  DescribeClusterCommand,
  type EKSClient,
  ResolveConflicts,
  UpdateAddonCommand,
} from '@aws-sdk/client-eks';
import { planAddonSteps, readAddonCatalog } from '../shared/addon-steps.ts';
import { compareAddonVersions, parseAddonVersion } from '../shared/addon-versions.ts';
import { ensureFitsBeforeDeadline } from '../shared/deadline.ts';
import { skippedStep, startOrAdopt } from '../shared/eks-updates.ts';
import { addonExpectedSeconds } from '../shared/polling.ts';
import { roleOf } from '../shared/role-arn.ts';
import { updateRequestToken } from '../shared/tokens.ts';
import type { AddonStep, UpdateProgress } from '../shared/types.ts';

export interface UpdateAddonEvent {
  clusterName: string;
  executionName: string;
  addon: AddonStep;
  /** No add-on update starts that cannot end before this time; null for none. */
  deadline: string | null;
  /** $$.Execution.RedriveCount: a redriven execution must not get its failed update back. */
  redriveCount?: number;
  /** A cluster in another account: the role its calls are made as; null for this account. */
  roleArn?: string | null;
}

export interface UpdateAddonDeps {
  eks: EKSClient;
  now: () => Date;
}

/**
 * Moves one managed add-on to the planned version, keeping the user's configuration
 * (resolveConflicts PRESERVE), or follows the same update already under way. A control plane
 * moved outside the run since the plan gets the step planned for the version it is on.
 * @throws UpdateInProgressError when another update holds the add-on or cluster (the state machine retries).
 */
export async function updateAddon(
  event: UpdateAddonEvent,
  { eks, now }: UpdateAddonDeps,
): Promise<UpdateProgress> {
  const { clusterName } = event;
  const { name: addonName, to } = event.addon;
  const base = stepBase(event);
  const { addon } = await eks.send(new DescribeAddonCommand({ clusterName, addonName }));
  const currentVersion = addon?.addonVersion ?? '';
  // At or past this step already (a rerun, or another execution moved it): never step back,
  // except in a rollback, which only steps back.
  const current = parseAddonVersion(currentVersion);
  const wanted = parseAddonVersion(to);
  const order = current && wanted ? compareAddonVersions(current, wanted) : undefined;
  if (event.addon.rollback) {
    if (currentVersion === to || (order !== undefined && order <= 0))
      return skippedStep(base, `already on ${currentVersion}, at or before ${to}`);
    return updateAddonTo(event, { eks, now });
  }
  if (currentVersion === to || (order !== undefined && order >= 0)) {
    return skippedStep(base, `already on ${currentVersion}, at or past ${to}`);
  }
  const replanned = await replanForActualVersion(eks, event, currentVersion);
  if (replanned?.to === null) return skippedStep(base, replanned.note);
  if (replanned)
    return updateAddonTo({ ...event, addon: { ...event.addon, to: replanned.to } }, { eks, now });
  return updateAddonTo(event, { eks, now });
}

/**
 * Someone moved the control plane since the plan (by hand, or another run): the step is planned
 * again for the version the cluster is on, as the plan would have. Undefined when it is where the
 * plan expected; `to: null` when the add-on already suits it.
 */
async function replanForActualVersion(
  eks: EKSClient,
  event: UpdateAddonEvent,
  currentVersion: string,
): Promise<{ to: string; note?: never } | { to: null; note: string } | undefined> {
  const { clusterName } = event;
  const { name: addonName, clusterVersion } = event.addon;
  const { cluster } = await eks.send(new DescribeClusterCommand({ name: clusterName }));
  const actual = cluster?.version;
  if (!actual || actual === clusterVersion) return undefined;
  const catalog = await readAddonCatalog(eks, addonName, actual);
  const [next] = catalog ? planAddonSteps(addonName, currentVersion, catalog, actual) : [];
  if (next) return { to: next };
  return {
    to: null,
    note: `the control plane is on ${actual}, not ${clusterVersion} as planned (moved outside this run), and ${currentVersion} suits it`,
  };
}

/** The add-on step as its update reports it: which add-on, to what, for how long. */
function stepBase(event: UpdateAddonEvent) {
  const { clusterName, addon } = event;
  return {
    ...roleOf(event),
    kind: 'addon' as const,
    clusterName,
    addonName: addon.name,
    target: addon.to,
    expectedSeconds: addonExpectedSeconds,
    ...(addon.rollback ? { rollback: true as const } : {}),
  };
}

async function updateAddonTo(
  event: UpdateAddonEvent,
  { eks, now }: UpdateAddonDeps,
): Promise<UpdateProgress> {
  const { clusterName } = event;
  const { name: addonName, to } = event.addon;
  const base = stepBase(event);
  ensureFitsBeforeDeadline(
    `Add-on ${addonName} update to ${to}`,
    addonExpectedSeconds,
    event.deadline,
    now(),
  );
  return startOrAdopt(eks, base, to, () =>
    eks.send(
      new UpdateAddonCommand({
        clusterName,
        addonName,
        addonVersion: to,
        resolveConflicts: ResolveConflicts.PRESERVE,
        clientRequestToken: updateRequestToken(
          event.executionName,
          // A rollback's step back to a version must not get the forward update to it (same token, same update).
          `addon/${clusterName}/${addonName}${event.addon.rollback ? '/rollback' : ''}`,
          to,
          event.redriveCount,
        ),
      }),
    ),
  );
}
