import {
  DescribeUpdateCommand,
  type EKSClient,
  paginateListUpdates,
  type Update,
  UpdateStatus,
} from '@aws-sdk/client-eks';
import { UpdateInProgressError } from './errors.ts';

export interface InProgressUpdate {
  id: string;
  type: string;
  version: string | undefined;
}

/** The Version param of an update, when it has one. */
export function updateVersion(update: Update): string | undefined {
  return update.params?.find((param) => param.type === 'Version')?.value;
}

/**
 * The update now in progress on a cluster (or on one of its node groups), if any.
 * EKS runs one update at a time per resource, so there is at most one.
 */
export async function findInProgressUpdate(
  eks: EKSClient,
  clusterName: string,
  nodegroupName?: string,
): Promise<InProgressUpdate | undefined> {
  const pages = paginateListUpdates(
    { client: eks },
    nodegroupName ? { name: clusterName, nodegroupName } : { name: clusterName },
  );
  for await (const page of pages) {
    for (const updateId of page.updateIds ?? []) {
      const { update } = await eks.send(
        new DescribeUpdateCommand(
          nodegroupName ? { name: clusterName, updateId, nodegroupName } : { name: clusterName, updateId },
        ),
      );
      if (update?.status === UpdateStatus.IN_PROGRESS && update.id) {
        return { id: update.id, type: update.type ?? 'Unknown', version: updateVersion(update) };
      }
    }
  }
  return undefined;
}

/**
 * After EKS refused a version update as busy (409): the ID of the running update when it is this
 * very move (started by a person or an earlier run), which the run then follows to its end.
 * @throws UpdateInProgressError when something else holds the resource; the state machine retries later.
 */
export async function adoptableVersionUpdate(
  eks: EKSClient,
  target: { clusterName: string; nodegroupName?: string; version: string },
  refusal: unknown,
): Promise<string> {
  const running = await findInProgressUpdate(eks, target.clusterName, target.nodegroupName);
  if (running?.type === 'VersionUpdate' && running.version === target.version) return running.id;
  const subject = target.nodegroupName
    ? `Node group ${target.nodegroupName}`
    : `Cluster ${target.clusterName}`;
  throw new UpdateInProgressError(
    running
      ? `${subject} is busy with update ${running.id} (${running.type}${running.version ? ` to ${running.version}` : ''}); waiting for it before moving to ${target.version}.`
      : `${subject} was refused the update to ${target.version} as busy, with no update of its own listed (the cluster is updating, or EKS-internal work); trying again later.`,
    { cause: refusal },
  );
}
