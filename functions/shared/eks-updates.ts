import {
  DescribeUpdateCommand,
  type EKSClient,
  paginateListUpdates,
  UpdateStatus,
} from '@aws-sdk/client-eks';
import { isAwsError, UnexpectedResponseError, UpdateInProgressError } from './errors.ts';
import { nextWaitSeconds } from './polling.ts';
import type { UpdateProgress } from './types.ts';

/** Which updates: the cluster's own, one node group's, or one add-on's (DescribeUpdate needs the same). */
export interface UpdateScope {
  clusterName: string;
  nodegroupName?: string;
  addonName?: string;
}

interface InProgressUpdate {
  id: string;
  type: string;
  /** The version it moves to: the Version param, or AddonVersion for an add-on. */
  version: string | undefined;
}

/** The update now in progress on the scope's resource, if any: EKS runs one at a time per resource. */
async function findInProgressUpdate(
  eks: EKSClient,
  scope: UpdateScope,
): Promise<InProgressUpdate | undefined> {
  const { clusterName, ...resource } = scope;
  for await (const page of paginateListUpdates({ client: eks }, { name: clusterName, ...resource })) {
    for (const updateId of page.updateIds ?? []) {
      const { update } = await eks.send(
        new DescribeUpdateCommand({ name: clusterName, updateId, ...resource }),
      );
      if (update?.status === UpdateStatus.IN_PROGRESS && update.id) {
        const version = update.params?.find(
          (param) => param.type === 'Version' || param.type === 'AddonVersion',
        );
        return { id: update.id, type: update.type ?? 'Unknown', version: version?.value };
      }
    }
  }
  return undefined;
}

/**
 * After EKS refused an update as busy (409): the ID of the running update when it is this very
 * move (started by a person or an earlier run), which the run then follows to its end.
 * @throws UpdateInProgressError when something else holds the resource; the state machine retries later.
 */
async function adoptableUpdate(
  eks: EKSClient,
  target: UpdateScope & { version: string },
  refusal: unknown,
): Promise<string> {
  const { version, ...scope } = target;
  const running = await findInProgressUpdate(eks, scope);
  const sameKind = running?.type === (scope.addonName ? 'AddonUpdate' : 'VersionUpdate');
  if (running && sameKind && running.version === version) return running.id;
  const subject = scope.addonName
    ? `Add-on ${scope.addonName}`
    : scope.nodegroupName
      ? `Node group ${scope.nodegroupName}`
      : `Cluster ${scope.clusterName}`;
  throw new UpdateInProgressError(
    running
      ? `${subject} is busy with update ${running.id} (${running.type}${running.version ? ` to ${running.version}` : ''}); waiting for it before moving to ${version}.`
      : `${subject} was refused the update to ${version} as busy, with no update of its own listed (the cluster is updating, or EKS-internal work); trying again later.`,
    { cause: refusal },
  );
}

/** What a step knows about its update before EKS answers: which resource, to what, for how long. */
export type StepBase = Omit<
  UpdateProgress,
  'updateId' | 'status' | 'adopted' | 'nextWaitSeconds' | 'startedAt' | 'finishedAt' | 'polls'
>;

/** Nothing known yet of when the update began or ended, and no check so far. */
const unchecked = { startedAt: null, finishedAt: null, polls: 0 };

/** A step with nothing to do: already done, by this run before a retry, by a person, or by another run. */
export function skippedStep(base: StepBase, note: string): UpdateProgress {
  return {
    ...base,
    ...unchecked,
    updateId: null,
    status: 'Skipped',
    adopted: false,
    nextWaitSeconds: 0,
    note,
  };
}

/**
 * Sends an update call; when EKS answers that the resource is busy (409), follows the running
 * update instead if it is this very move (to `version`). Resolves with the update to poll.
 * @throws UpdateInProgressError when something else holds the resource (the state machine retries).
 */
export async function startOrAdopt(
  eks: EKSClient,
  base: StepBase,
  version: string,
  send: () => Promise<{ update?: { id?: string | undefined } | undefined }>,
): Promise<UpdateProgress> {
  const started = (updateId: string, adopted: boolean): UpdateProgress => ({
    ...base,
    ...unchecked,
    updateId,
    status: 'InProgress',
    adopted,
    nextWaitSeconds: nextWaitSeconds(base, 0),
  });
  try {
    const { update } = await send();
    if (!update?.id)
      throw new UnexpectedResponseError(`EKS started no update for ${base.kind} ${base.target}.`);
    return started(update.id, false);
  } catch (error) {
    // EKS allows one update at a time: if the one running is this very move, follow it instead of failing.
    if (!isAwsError(error, 'ResourceInUseException')) throw error;
    const { clusterName, nodegroupName, addonName } = base;
    const scope = {
      clusterName,
      ...(nodegroupName ? { nodegroupName } : {}),
      ...(addonName ? { addonName } : {}),
      version,
    };
    return started(await adoptableUpdate(eks, scope, error), true);
  }
}
