import { DescribeClusterCommand, type EKSClient, UpdateClusterVersionCommand } from '@aws-sdk/client-eks';
import { adoptableVersionUpdate } from '../shared/eks-updates.ts';
import { isAwsError, UnexpectedResponseError } from '../shared/errors.ts';
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

  let updateId: string;
  let adopted = false;
  try {
    const { update } = await eks.send(
      new UpdateClusterVersionCommand({
        name: clusterName,
        version: targetVersion,
        clientRequestToken: updateRequestToken(event.executionName, `cluster/${clusterName}`, targetVersion),
      }),
    );
    if (!update?.id) {
      throw new UnexpectedResponseError(`UpdateClusterVersion for ${clusterName} returned no update id.`);
    }
    updateId = update.id;
  } catch (error) {
    // EKS allows one update at a time: if the one running is this very move, follow it instead of failing.
    if (!isAwsError(error, 'ResourceInUseException')) throw error;
    updateId = await adoptableVersionUpdate(eks, { clusterName, version: targetVersion }, error);
    adopted = true;
  }
  return {
    ...base,
    updateId,
    status: 'InProgress',
    adopted,
    nextWaitSeconds: nextWaitSeconds(0, controlPlaneExpectedSeconds),
  };
}
