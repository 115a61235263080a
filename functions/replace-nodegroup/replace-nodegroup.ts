import {
  CreateNodegroupCommand,
  type CreateNodegroupRequest,
  DeleteNodegroupCommand,
  type EKSClient,
  type Nodegroup,
} from '@aws-sdk/client-eks';
import { lateForDeadline } from '../shared/deadline.ts';
import { isAwsError } from '../shared/errors.ts';
import { describeNodegroupIfPresent, replacesTag } from '../shared/nodegroups.ts';
import { nextWaitSeconds, replacementExpectedSeconds } from '../shared/polling.ts';
import { roleOf } from '../shared/role-arn.ts';
import { decodeSettings, ownSettingsTag } from '../shared/rolling-settings.ts';
import { updateRequestToken } from '../shared/tokens.ts';
import type { NodegroupStep, Replacement, UpdateProgress } from '../shared/types.ts';

export interface ReplaceNodegroupEvent {
  clusterName: string;
  executionName: string;
  /** The plan's step: the old group's name, the version to create at, and its replacement. */
  nodegroup: NodegroupStep & { replacement: Replacement };
  /** No replacement starts that cannot end before this time; null for none. */
  deadline: string | null;
  redriveCount?: number;
  /** The progress the last call returned (null on the first): its start and checks carry on. */
  previous?: UpdateProgress | null;
  roleArn?: string | null;
}

export interface ReplaceNodegroupDeps {
  eks: EKSClient;
  now: () => Date;
}

/** Tag keys AWS keeps for itself, in any case: CreateNodegroup refuses them. */
const reservedTagPrefix = /^aws:/i;

/**
 * One step of replacing an AL2 node group, decided from what EKS reports now, so a retry or a rerun
 * continues where the last one stopped: create the replacement with the old group's configuration,
 * wait until it is ACTIVE with at least the old group's desired size and no health issue, then
 * delete the old group (EKS drains its nodes) and wait until it is gone. Nothing is deleted before
 * the replacement stands.
 */
export async function replaceNodegroup(
  event: ReplaceNodegroupEvent,
  { eks, now }: ReplaceNodegroupDeps,
): Promise<UpdateProgress> {
  const { clusterName, nodegroup: step } = event;
  const { replacement } = step;
  const base = {
    kind: 'nodegroup' as const,
    clusterName,
    nodegroupName: step.name,
    target: `${replacement.name} (${replacement.amiType})`,
    expectedSeconds: replacementExpectedSeconds,
    ...roleOf(event),
  };
  const [old, created] = await Promise.all([
    describeNodegroupIfPresent(eks, clusterName, step.name),
    describeNodegroupIfPresent(eks, clusterName, replacement.name),
  ]);
  const startedAt = event.previous?.startedAt ?? now().toISOString();
  const polls = (event.previous?.polls ?? -1) + 1;
  // The old group's size when the replacement was made: what the replacement must have before the delete.
  const oldNodes = event.previous?.rollout?.nodes ?? old?.scalingConfig?.desiredSize ?? 0;
  const waiting = (note: string): UpdateProgress => {
    const elapsed = (now().getTime() - Date.parse(startedAt)) / 1000;
    return {
      ...base,
      rollout: { nodes: oldNodes, batchSize: 1 },
      updateId: null,
      status: 'InProgress',
      adopted: false,
      nextWaitSeconds: nextWaitSeconds({ kind: 'nodegroup' }, elapsed),
      startedAt,
      finishedAt: null,
      polls,
      note,
    };
  };
  const ended = (status: 'Skipped' | 'Deferred', note: string): UpdateProgress => ({
    ...waiting(note),
    status,
    nextWaitSeconds: 0,
  });
  const failed = (cause: string): UpdateProgress => ({
    ...waiting(cause),
    status: 'Failed',
    nextWaitSeconds: 0,
    failure: { error: 'ReplacementFailedError', cause },
  });

  if (created && created.tags?.[replacesTag] !== step.name) {
    return failed(
      `Node group ${replacement.name} exists and is not a replacement of ${step.name} (no ${replacesTag}=${step.name} tag): nothing was created or deleted. Give replaceAl2.namePattern another name and run again.`,
    );
  }
  if (!created) {
    if (!old) {
      return ended('Skipped', `${step.name} no longer exists (deleted outside this run); nothing to replace`);
    }
    const late = lateForDeadline(
      `Replacing node group ${step.name} with ${replacement.name}`,
      replacementExpectedSeconds,
      event.deadline,
      now(),
    );
    if (late) return ended('Deferred', late);
    if (old.status !== 'ACTIVE' && old.status !== 'DEGRADED') {
      return waiting(`${step.name} is ${old.status}; its configuration is copied once it is ACTIVE`);
    }
    // Sent again after a create this run made cannot be seen yet: the same token gets the same group.
    try {
      await eks.send(new CreateNodegroupCommand(replacementRequest(old, step, event)));
    } catch (error) {
      // A retry whose first answer was lost: the group exists, under this name.
      if (!isAwsError(error, 'ResourceInUseException')) throw error;
    }
    return waiting(`creating ${replacement.name}`);
  }

  const createdStatus = created.status ?? 'UNKNOWN';
  if (createdStatus === 'CREATING') return waiting(`creating ${replacement.name}`);
  // A roll or a config update of the replacement (a rerun's, a person's): it stands once that ends.
  if (createdStatus === 'UPDATING') return waiting(`${replacement.name} is UPDATING; waiting for it`);
  if (createdStatus !== 'ACTIVE') {
    return failed(
      `Replacement ${replacement.name} of ${step.name} is ${createdStatus}${issuesOf(created)}; ${old ? `${step.name} was kept, untouched` : `${step.name} is already gone`}. ${createdStatus === 'CREATE_FAILED' ? `Delete ${replacement.name}, fix the cause, and run again.` : 'Look at it in the EKS console, then run again.'}`,
    );
  }
  if (!old) {
    return {
      ...waiting(`${step.name} deleted; ${replacement.name} runs in its place`),
      status: 'Successful',
      nextWaitSeconds: 0,
      finishedAt: now().toISOString(),
    };
  }
  const oldStatus = old.status ?? 'UNKNOWN';
  if (oldStatus === 'DELETING') return waiting(`deleting ${step.name} (EKS drains its nodes)`);
  if (oldStatus === 'DELETE_FAILED') {
    return failed(
      `Node group ${step.name} could not be deleted${issuesOf(old)}; its replacement ${replacement.name} is ACTIVE. Fix the cause and run again (or delete ${step.name} by hand).`,
    );
  }
  const unready = notReadyToDelete(oldNodes, created);
  if (unready)
    return failed(
      `${unready} ${step.name} was kept, untouched; ${replacement.name} stays. Fix the replacement and run again.`,
    );
  if (oldStatus !== 'ACTIVE' && oldStatus !== 'DEGRADED') {
    return waiting(`${step.name} is ${oldStatus}; it is deleted once that ends`);
  }
  try {
    await eks.send(new DeleteNodegroupCommand({ clusterName, nodegroupName: step.name }));
  } catch (error) {
    // An update of the old group still running: it is deleted once that ends.
    if (!isAwsError(error, 'ResourceInUseException')) throw error;
    return waiting(`${step.name} is busy; it is deleted once that ends`);
  }
  return waiting(`deleting ${step.name} (EKS drains its nodes)`);
}

/**
 * Why the old group must not go yet, or undefined: the replacement must stand with the capacity the
 * old group had when the replacement was made (a cluster autoscaler may have moved either since), healthy.
 */
function notReadyToDelete(wanted: number, created: Nodegroup): string | undefined {
  const has = created.scalingConfig?.desiredSize ?? 0;
  if (has < wanted) {
    return `Replacement ${created.nodegroupName} wants ${has} nodes, fewer than the ${wanted} the group it replaces had when it was made (scaled down since?).`;
  }
  const issues = created.health?.issues ?? [];
  if (issues.length > 0)
    return `Replacement ${created.nodegroupName} reports health issues${issuesOf(created)}.`;
  return undefined;
}

function issuesOf(nodegroup: Nodegroup): string {
  const issues = nodegroup.health?.issues ?? [];
  return issues.length > 0
    ? ` (${issues.map((issue) => `${issue.code ?? 'issue'}: ${issue.message ?? ''}`).join('; ')})`
    : '';
}

/**
 * The old group's configuration on the new AMI type, at the planned version: subnets, scaling,
 * instance types, capacity type, labels, taints, tags, node role, update config, remote access and
 * disk, or its launch template (one without an AMI, as the plan checked). EKS picks the newest
 * release of that version; the later rolls move it like any group.
 */
export function replacementRequest(
  old: Nodegroup,
  step: NodegroupStep & { replacement: Replacement },
  run: { clusterName: string; executionName: string; redriveCount?: number },
): CreateNodegroupRequest {
  const template = old.launchTemplate;
  // A stopped run's rolling settings left on the old group stay behind: the new one gets its own.
  const own = decodeSettings(old.tags?.[ownSettingsTag]);
  const tags = Object.fromEntries(
    Object.entries(old.tags ?? {}).filter(([key]) => !reservedTagPrefix.test(key) && key !== ownSettingsTag),
  );
  return {
    clusterName: run.clusterName,
    nodegroupName: step.replacement.name,
    amiType: step.replacement.amiType as CreateNodegroupRequest['amiType'],
    ...(step.toVersion ? { version: step.toVersion } : {}),
    nodeRole: old.nodeRole,
    subnets: old.subnets,
    ...(old.scalingConfig ? { scalingConfig: old.scalingConfig } : {}),
    // Empty when the launch template sets the type: EKS refuses both.
    ...(old.instanceTypes?.length ? { instanceTypes: old.instanceTypes } : {}),
    ...(old.capacityType ? { capacityType: old.capacityType } : {}),
    ...(old.labels ? { labels: old.labels } : {}),
    ...(old.taints?.length ? { taints: old.taints } : {}),
    tags: { ...tags, [replacesTag]: step.name },
    ...(own ? { updateConfig: own } : old.updateConfig ? { updateConfig: old.updateConfig } : {}),
    ...(old.nodeRepairConfig ? { nodeRepairConfig: old.nodeRepairConfig } : {}),
    ...(template?.version && (template.id || template.name)
      ? {
          launchTemplate: {
            ...(template.id ? { id: template.id } : { name: template.name }),
            version: step.replacement.launchTemplateVersion ?? template.version,
          },
        }
      : {
          ...(old.remoteAccess ? { remoteAccess: old.remoteAccess } : {}),
          ...(old.diskSize ? { diskSize: old.diskSize } : {}),
        }),
    clientRequestToken: updateRequestToken(
      run.executionName,
      `nodegroup/${run.clusterName}/${step.replacement.name}`,
      `create/${step.replacement.amiType}/${step.toVersion ?? ''}`,
      run.redriveCount,
    ),
  } as CreateNodegroupRequest;
}
