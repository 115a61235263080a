import { DescribeNodegroupCommand, type EKSClient, type Nodegroup } from '@aws-sdk/client-eks';
import { isAwsError } from './errors.ts';

/** The node group as EKS has it; null when it no longer exists (deleted since the plan). */
export async function describeNodegroupIfPresent(
  eks: EKSClient,
  clusterName: string,
  nodegroupName: string,
): Promise<Nodegroup | null | undefined> {
  try {
    return (await eks.send(new DescribeNodegroupCommand({ clusterName, nodegroupName }))).nodegroup;
  } catch (error) {
    if (isAwsError(error, 'ResourceNotFoundException')) return null;
    throw error;
  }
}

/** How a node group deleted outside the run is told, or undefined while it is there. */
export function deletion(nodegroup: Nodegroup | null | undefined): string | undefined {
  if (nodegroup === null) return 'no longer exists';
  return nodegroup?.status === 'DELETING' ? 'is being deleted' : undefined;
}

/** The tag a replacement node group carries (the old group's name): a rerun knows it, a person sees why it exists. */
export const replacesTag = 'eks-upgrade/replaces';
