import {
  DescribeNodegroupCommand,
  type EKSClient,
  type LaunchTemplateSpecification,
  UpdateNodegroupVersionCommand,
} from '@aws-sdk/client-eks';
import { adoptableVersionUpdate } from '../shared/eks-updates.ts';
import { isAwsError, UnexpectedResponseError } from '../shared/errors.ts';
import { nextWaitSeconds, nodegroupExpectedSeconds } from '../shared/polling.ts';
import { updateRequestToken } from '../shared/tokens.ts';
import type { PlannedNodegroup, UpdateProgress } from '../shared/types.ts';

export interface UpdateNodegroupEvent {
  clusterName: string;
  nodegroup: PlannedNodegroup;
  targetVersion: string;
  releaseVersion: string | null;
  force: boolean;
  executionName: string;
}

export interface UpdateNodegroupDeps {
  eks: EKSClient;
}

/**
 * Starts a rolling update of one managed node group to the target version, or follows one already under way.
 * With force=false EKS respects pod disruption budgets and fails the update rather than evict past them.
 * @throws UpdateInProgressError when a different update holds the node group or cluster (the state machine retries).
 */
export async function updateNodegroup(
  event: UpdateNodegroupEvent,
  { eks }: UpdateNodegroupDeps,
): Promise<UpdateProgress> {
  const { clusterName, targetVersion, releaseVersion } = event;
  const nodegroupName = event.nodegroup.name;
  const { nodegroup } = await eks.send(new DescribeNodegroupCommand({ clusterName, nodegroupName }));
  if (!nodegroup)
    throw new UnexpectedResponseError(
      `DescribeNodegroup for ${clusterName}/${nodegroupName} returned nothing.`,
    );

  const expectedSeconds = nodegroupExpectedSeconds(
    nodegroup.scalingConfig?.desiredSize ?? event.nodegroup.desiredSize,
    event.nodegroup.maxUnavailable,
  );
  const base = {
    kind: 'nodegroup' as const,
    clusterName,
    nodegroupName,
    target: targetVersion,
    expectedSeconds,
  };
  const skipped = (note: string): UpdateProgress => ({
    ...base,
    updateId: null,
    status: 'Skipped',
    adopted: false,
    nextWaitSeconds: 0,
    note,
  });

  // With a custom AMI in its launch template, releaseVersion holds the AMI id and EKS refuses a version change.
  if (nodegroup.releaseVersion?.startsWith('ami-')) {
    return skipped(
      `runs custom AMI ${nodegroup.releaseVersion} from its launch template; move it with a new launch template version`,
    );
  }
  if (
    nodegroup.version === targetVersion &&
    (!releaseVersion || nodegroup.releaseVersion === releaseVersion)
  ) {
    return skipped(`already on ${targetVersion} (${nodegroup.releaseVersion ?? 'unknown release'})`);
  }

  const launchTemplate = launchTemplateOf(nodegroup.launchTemplate);
  let updateId: string;
  let adopted = false;
  try {
    const { update } = await eks.send(
      new UpdateNodegroupVersionCommand({
        clusterName,
        nodegroupName,
        version: targetVersion,
        force: event.force,
        clientRequestToken: updateRequestToken(
          event.executionName,
          `nodegroup/${clusterName}/${nodegroupName}`,
          `${targetVersion}/${releaseVersion ?? 'recommended'}`,
        ),
        ...(releaseVersion ? { releaseVersion } : {}),
        ...(launchTemplate ? { launchTemplate } : {}),
      }),
    );
    if (!update?.id) {
      throw new UnexpectedResponseError(
        `UpdateNodegroupVersion for ${clusterName}/${nodegroupName} returned no update id.`,
      );
    }
    updateId = update.id;
  } catch (error) {
    if (!isAwsError(error, 'ResourceInUseException')) throw error;
    updateId = await adoptableVersionUpdate(
      eks,
      { clusterName, nodegroupName, version: targetVersion },
      error,
    );
    adopted = true;
  }
  return {
    ...base,
    updateId,
    status: 'InProgress',
    adopted,
    nextWaitSeconds: nextWaitSeconds(0, expectedSeconds),
  };
}

/** Keeps the node group on its own launch template version, named the way it was created. */
function launchTemplateOf(
  template: LaunchTemplateSpecification | undefined,
): LaunchTemplateSpecification | undefined {
  if (!template?.version || !(template.id || template.name)) return undefined;
  return template.id
    ? { id: template.id, version: template.version }
    : { name: template.name, version: template.version };
}
