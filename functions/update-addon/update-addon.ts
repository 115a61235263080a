import {
  DescribeAddonCommand,
  type EKSClient,
  ResolveConflicts,
  UpdateAddonCommand,
} from '@aws-sdk/client-eks';
import { compareAddonVersions, parseAddonVersion } from '../shared/addon-versions.ts';
import { ensureFitsBeforeDeadline } from '../shared/deadline.ts';
import { skippedStep, startOrAdopt } from '../shared/eks-updates.ts';
import { addonExpectedSeconds } from '../shared/polling.ts';
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
}

export interface UpdateAddonDeps {
  eks: EKSClient;
  now: () => Date;
}

/**
 * Moves one managed add-on to the planned version, keeping the user's configuration
 * (resolveConflicts PRESERVE), or follows the same update already under way.
 * @throws UpdateInProgressError when another update holds the add-on or cluster (the state machine retries).
 */
export async function updateAddon(
  event: UpdateAddonEvent,
  { eks, now }: UpdateAddonDeps,
): Promise<UpdateProgress> {
  const { clusterName } = event;
  const { name: addonName, to } = event.addon;
  const base = {
    kind: 'addon' as const,
    clusterName,
    addonName,
    target: to,
    expectedSeconds: addonExpectedSeconds,
  };
  const { addon } = await eks.send(new DescribeAddonCommand({ clusterName, addonName }));
  // At or past this step already (a rerun, or another execution moved it): never step back.
  const current = parseAddonVersion(addon?.addonVersion ?? '');
  const wanted = parseAddonVersion(to);
  if (addon?.addonVersion === to || (current && wanted && compareAddonVersions(current, wanted) >= 0)) {
    return skippedStep(base, `already on ${addon?.addonVersion}, at or past ${to}`);
  }
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
          `addon/${clusterName}/${addonName}`,
          to,
          event.redriveCount,
        ),
      }),
    ),
  );
}
