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
  /** A node group's AMI release it moves to (ReleaseVersion), when given. */
  releaseVersion: string | undefined;
  /** A node group's launch template version it moves to (LaunchTemplateVersion), when given. */
  launchTemplateVersion: string | undefined;
}

/** Updates described at once while looking for the running one. */
const describedTogether = 10;

/**
 * The update now in progress on the scope's resource, if any: EKS runs one at a time per resource.
 * ListUpdates gives IDs only, in no particular order (aws/containers-roadmap#1439), so the IDs are
 * described ten at a time, and the search stops at the batch that holds the running one.
 */
async function findInProgressUpdate(
  eks: EKSClient,
  scope: UpdateScope,
): Promise<InProgressUpdate | undefined> {
  const { clusterName, ...resource } = scope;
  const ids: string[] = [];
  for await (const page of paginateListUpdates({ client: eks }, { name: clusterName, ...resource })) {
    ids.push(...(page.updateIds ?? []));
  }
  for (let start = 0; start < ids.length; start += describedTogether) {
    const described = await Promise.all(
      ids
        .slice(start, start + describedTogether)
        .map((updateId) => eks.send(new DescribeUpdateCommand({ name: clusterName, updateId, ...resource }))),
    );
    for (const { update } of described) {
      if (update?.status === UpdateStatus.IN_PROGRESS && update.id) {
        const version = update.params?.find(
          (param) => param.type === 'Version' || param.type === 'AddonVersion',
        );
        const param = (type: string) => update.params?.find((candidate) => candidate.type === type)?.value;
        return {
          id: update.id,
          type: update.type ?? 'Unknown',
          version: version?.value,
          releaseVersion: param('ReleaseVersion'),
          launchTemplateVersion: param('LaunchTemplateVersion'),
        };
      }
    }
  }
  return undefined;
}

/**
 * After EKS refused an update as busy (409): the running update when it is this very move (started
 * by a person or an earlier run), which the run then follows to its end; or, where the step can
 * wait for it (`followOthers`), someone else's different update, followed until it ends.
 * @throws UpdateInProgressError when something else holds the resource; the state machine retries later.
 */
async function runningUpdate(
  eks: EKSClient,
  target: UpdateScope & NodegroupMove & { version: string; rollback: boolean },
  refusal: unknown,
  followOthers: boolean,
): Promise<{ id: string; foreignType?: string }> {
  const { version, releaseVersion, launchTemplateVersion, rollback, ...scope } = target;
  const running = await findInProgressUpdate(eks, scope);
  const sameKind =
    running?.type === (scope.addonName ? 'AddonUpdate' : rollback ? 'VersionRollback' : 'VersionUpdate');
  // Onto another AMI release than planned, it is not this move: it would end short of the plan.
  const sameRelease =
    !releaseVersion || !running?.releaseVersion || running.releaseVersion === releaseVersion;
  // A launch-template-only move (custom AMI) names no version: the template version tells it.
  const sameTarget = launchTemplateVersion
    ? running?.launchTemplateVersion === launchTemplateVersion
    : running?.version === version && sameRelease;
  if (running && sameKind && sameTarget) return { id: running.id };
  if (running && followOthers) return { id: running.id, foreignType: running.type };
  const subject = scope.addonName
    ? `Add-on ${scope.addonName}`
    : scope.nodegroupName
      ? `Node group ${scope.nodegroupName}`
      : `Cluster ${scope.clusterName}`;
  // Said so that it stays true whether the state machine tries again or gives up here.
  throw new UpdateInProgressError(
    running
      ? `${subject} is busy with update ${running.id} (${running.type}${running.version ? ` to ${running.version}` : ''}), not this run's move to ${version}; this run started nothing on it.`
      : `${subject} was refused the update to ${version} as busy, with no update of its own listed (the cluster is updating, or EKS-internal work); this run started nothing on it.`,
    { cause: refusal },
  );
}

/** What a node group's roll moves it onto besides its version, for telling its own update from another. */
export interface NodegroupMove {
  releaseVersion?: string | null;
  launchTemplateVersion?: string | null;
}

/** What a step knows about its update before EKS answers: which resource, to what, for how long. */
export type StepBase = Omit<
  UpdateProgress,
  'updateId' | 'status' | 'adopted' | 'nextWaitSeconds' | 'startedAt' | 'finishedAt' | 'polls'
>;

/** Nothing known yet of when the update began or ended, and no check so far. */
const unchecked = { startedAt: null, finishedAt: null, polls: 0 };

/**
 * A node group roll not started because it could not end before the deadline: an outcome the stage
 * counts (a hundred of them stay small), not an error carried through every execution's Cause.
 */
export function deferredStep(base: StepBase, note: string): UpdateProgress {
  return { ...skippedStep(base, note), status: 'Deferred' };
}

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
 * update instead if it is this very move (to `version`), or, given `followOthers`, someone else's
 * update until it ends (the step is then sent again). Resolves with the update to poll.
 * @throws UpdateInProgressError when something else holds the resource (the state machine retries).
 */
export async function startOrAdopt(
  eks: EKSClient,
  base: StepBase,
  version: string,
  send: () => Promise<{ update?: { id?: string | undefined } | undefined }>,
  followOthers?: NodegroupMove & { deferAfter: string | null; now: Date },
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
      rollback: base.rollback === true,
      releaseVersion: followOthers?.releaseVersion ?? null,
      launchTemplateVersion: followOthers?.launchTemplateVersion ?? null,
    };
    const running = await runningUpdate(eks, scope, error, followOthers !== undefined);
    if (running.foreignType === undefined) return started(running.id, true);
    return {
      ...started(running.id, false),
      foreign: {
        type: running.foreignType,
        deferAfter: followOthers?.deferAfter ?? null,
        seenAt: (followOthers?.now ?? new Date()).toISOString(),
      },
    };
  }
}
