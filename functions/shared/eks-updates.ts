import {
  DescribeUpdateCommand,
  type EKSClient,
  paginateListUpdates,
  type Update,
  UpdateStatus,
} from '@aws-sdk/client-eks';

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
