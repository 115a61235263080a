import { DescribeClusterCommand, type EKSClient, UpdateClusterVersionCommand } from '@aws-sdk/client-eks';
import { findInProgressUpdate } from '../shared/eks-updates.ts';
import { isAwsError, UnexpectedResponseError, UpdateInProgressError } from '../shared/errors.ts';
import { controlPlaneExpectedSeconds, nextWaitSeconds } from '../shared/polling.ts';
import { updateRequestToken } from '../shared/tokens.ts';
import type { UpdateProgress } from '../shared/types.ts';

export interface UpdateControlPlaneEvent {
  clusterName: string;
  targetVersion: string;
  executionName: string;
}

export interface UpdateControlPlaneDeps {
  eks: EKSClient;
}

/**
 * Starts the control plane's move to the target minor, or follows one already under way.
 * @throws UpdateInProgressError when a different update holds the cluster (the state machine retries).
 */
export async function updateControlPlane(
  event: UpdateControlPlaneEvent,
  { eks }: UpdateControlPlaneDeps,
): Promise<UpdateProgress> {
  const { clusterName, targetVersion } = event;
  const base = {
    kind: 'controlPlane' as const,
    clusterName,
    target: targetVersion,
    expectedSeconds: controlPlaneExpectedSeconds,
  };
  const { cluster } = await eks.send(new DescribeClusterCommand({ name: clusterName }));
  if (!cluster?.version)
    throw new UnexpectedResponseError(`DescribeCluster for ${clusterName} returned no version.`);
  if (cluster.version === targetVersion) {
    return { ...base, updateId: null, status: 'Skipped', adopted: false, nextWaitSeconds: 0 };
  }

  try {
    const { update } = await eks.send(
      new UpdateClusterVersionCommand({
        name: clusterName,
        version: targetVersion,
        clientRequestToken: updateRequestToken(event.executionName, `cluster/${clusterName}`, targetVersion),
      }),
    );
    if (!update?.id)
      throw new UnexpectedResponseError(`UpdateClusterVersion for ${clusterName} returned no update id.`);
    return {
      ...base,
      updateId: update.id,
      status: 'InProgress',
      adopted: false,
      nextWaitSeconds: nextWaitSeconds(0, controlPlaneExpectedSeconds),
    };
  } catch (error) {
    if (!isAwsError(error, 'ResourceInUseException')) throw error;
    // EKS allows one update at a time: if the one running is this very move, follow it instead of failing.
    const running = await findInProgressUpdate(eks, clusterName);
    if (running?.type === 'VersionUpdate' && running.version === targetVersion) {
      return {
        ...base,
        updateId: running.id,
        status: 'InProgress',
        adopted: true,
        nextWaitSeconds: nextWaitSeconds(0, controlPlaneExpectedSeconds),
      };
    }
    throw new UpdateInProgressError(
      running
        ? `Cluster ${clusterName} is busy with update ${running.id} (${running.type}${running.version ? ` to ${running.version}` : ''}); waiting for it before moving to ${targetVersion}.`
        : `Cluster ${clusterName} refused the update to ${targetVersion} as busy, though no update is listed (EKS-internal work); trying again later.`,
      { cause: error },
    );
  }
}
