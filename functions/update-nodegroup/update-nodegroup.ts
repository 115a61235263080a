import {
  type EKSClient,
  type LaunchTemplateSpecification,
  UpdateNodegroupVersionCommand,
} from '@aws-sdk/client-eks';
import { lateForDeadline } from '../shared/deadline.ts';
import { deferredStep, skippedStep, startOrAdopt } from '../shared/eks-updates.ts';
import { UnexpectedResponseError } from '../shared/errors.ts';
import { deletion, describeNodegroupIfPresent } from '../shared/nodegroups.ts';
import { batchSizeOf, nodegroupExpectedSeconds } from '../shared/polling.ts';
import { roleOf } from '../shared/role-arn.ts';
import { updateRequestToken } from '../shared/tokens.ts';
import type { NodegroupStep, UpdateProgress } from '../shared/types.ts';
import { compareMinor, parseMinor } from '../shared/versions.ts';

export interface UpdateNodegroupEvent {
  clusterName: string;
  executionName: string;
  force: boolean;
  nodegroup: NodegroupStep;
  /** No rolling update starts that cannot end before this time; null for none. */
  deadline: string | null;
  /** $$.Execution.RedriveCount: a redriven execution must not get its failed update back. */
  redriveCount?: number;
  /** The roll's progress so far when it is sent again (someone else's update ended): its checks still count. */
  previous?: UpdateProgress | null;
  /** A cluster in another account: the role its calls are made as; null for this account. */
  roleArn?: string | null;
}

export interface UpdateNodegroupDeps {
  eks: EKSClient;
  now: () => Date;
}

/**
 * Starts one planned rolling update of a managed node group, or follows one already under way.
 * With force=false EKS respects pod disruption budgets and fails the update rather than evict past them.
 * Someone else's different update holding the node group is followed to its end (`foreign`), and
 * the roll is sent again then.
 * @throws UpdateInProgressError when the cluster holds it with no update of the node group listed (the state machine retries).
 */
export async function updateNodegroup(
  event: UpdateNodegroupEvent,
  deps: UpdateNodegroupDeps,
): Promise<UpdateProgress> {
  const progress = await sendRoll(event, deps);
  // A roll execution's poll budget counts every check it made, before someone else's update ended too.
  return { ...progress, polls: event.previous?.polls ?? progress.polls };
}

async function sendRoll(
  event: UpdateNodegroupEvent,
  { eks, now }: UpdateNodegroupDeps,
): Promise<UpdateProgress> {
  const { clusterName, nodegroup: planned } = event;
  const nodegroupName = planned.name;
  const nodegroup = await describeNodegroupIfPresent(eks, clusterName, nodegroupName);
  const target = planned.toVersion ?? `launch template version ${planned.launchTemplate?.version ?? '?'}`;
  const deleted = deletion(nodegroup);
  if (deleted) {
    // Deleted outside the run since the plan: nothing to roll, and nothing a rerun must do.
    const gone = {
      kind: 'nodegroup' as const,
      clusterName,
      nodegroupName,
      target,
      expectedSeconds: nodegroupExpectedSeconds(1),
      ...roleOf(event),
    };
    return skippedStep(gone, `${deleted} (deleted outside this run); nothing was done to it`);
  }
  if (!nodegroup)
    throw new UnexpectedResponseError(
      `DescribeNodegroup for ${clusterName}/${nodegroupName} returned nothing.`,
    );

  const nodes = nodegroup.scalingConfig?.desiredSize ?? 1;
  const rollout = { nodes, batchSize: batchSizeOf(nodegroup.updateConfig, nodes) };
  const expectedSeconds = nodegroupExpectedSeconds(rollout.nodes, rollout.batchSize);
  const base = {
    kind: 'nodegroup' as const,
    clusterName,
    nodegroupName,
    target,
    expectedSeconds,
    rollout,
    ...roleOf(event),
  };
  const done = alreadyDone(
    planned,
    nodegroup.version,
    nodegroup.releaseVersion,
    nodegroup.launchTemplate?.version,
  );
  if (done) return skippedStep(base, done);

  const launchTemplate = planned.launchTemplate ?? sameLaunchTemplate(nodegroup.launchTemplate);
  const late = lateForDeadline(
    `Node group ${nodegroupName} rolling to ${target}`,
    expectedSeconds,
    event.deadline,
    now(),
  );
  if (late) return deferredStep(base, late);
  // A node group roll someone else started can run for hours: follow it, and start this one after.
  const deferAfter = event.deadline
    ? new Date(Date.parse(event.deadline) - expectedSeconds * 1000).toISOString()
    : null;
  return startOrAdopt(
    eks,
    base,
    planned.toVersion ?? '',
    () =>
      eks.send(
        new UpdateNodegroupVersionCommand({
          clusterName,
          nodegroupName,
          force: event.force,
          clientRequestToken: updateRequestToken(
            event.executionName,
            `nodegroup/${clusterName}/${nodegroupName}`,
            `${planned.toVersion}/${planned.releaseVersion ?? 'newest'}/${planned.launchTemplate?.version ?? ''}`,
            event.redriveCount,
          ),
          ...(planned.toVersion ? { version: planned.toVersion } : {}),
          ...(planned.releaseVersion ? { releaseVersion: planned.releaseVersion } : {}),
          ...(launchTemplate ? { launchTemplate } : {}),
        }),
      ),
    {
      deferAfter,
      now: now(),
      releaseVersion: planned.releaseVersion,
      launchTemplateVersion: planned.launchTemplate?.version ?? null,
    },
  );
}

/** Why the step has nothing to do (a rerun after it finished, or a person did it), or undefined. */
function alreadyDone(
  planned: NodegroupStep,
  version: string | undefined,
  releaseVersion: string | undefined,
  templateVersion: string | undefined,
): string | undefined {
  // With a custom AMI in its launch template, releaseVersion holds the AMI id and EKS refuses a version change.
  if (!planned.launchTemplate && releaseVersion?.startsWith('ami-')) {
    return `runs custom AMI ${releaseVersion} from its launch template; only a new launch template version moves it`;
  }
  if (planned.launchTemplate) {
    return templateVersion === planned.launchTemplate.version
      ? `already on launch template version ${templateVersion}`
      : undefined;
  }
  const current = parseMinor(version ?? '');
  const wanted = parseMinor(planned.toVersion ?? '');
  if (!current || !wanted) return undefined;
  const order = compareMinor(current, wanted);
  // Never roll back: a node group already past this step's version has had it.
  if (order > 0) return `already on ${version}, past ${planned.toVersion}`;
  if (order === 0 && (planned.releaseVersion === null || planned.releaseVersion === releaseVersion)) {
    return `already on ${version} (${releaseVersion ?? 'unknown release'})`;
  }
  return undefined;
}

/**
 * Keeps a node group on its own launch template version, named the way it was created. The EKS API
 * reference documents only updates that name the group's template and does not say an omitted one
 * keeps it, so it is sent; EKS then reads it as the caller (ec2:DescribeLaunchTemplateVersions).
 */
function sameLaunchTemplate(
  template: LaunchTemplateSpecification | undefined,
): LaunchTemplateSpecification | undefined {
  if (!template?.version || !(template.id || template.name)) return undefined;
  return template.id
    ? { id: template.id, version: template.version }
    : { name: template.name, version: template.version };
}
