import { type AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  DescribeUpdateCommand,
  type EKSClient,
  type ErrorDetail,
  UpdateStatus,
} from '@aws-sdk/client-eks';
import { isAwsError, UnexpectedResponseError } from '../shared/errors.ts';
import { nextWaitSeconds, pollFloorSeconds, type RollingProgress, tailHasBegun } from '../shared/polling.ts';
import { isDegraded, isSettled } from '../shared/resource-status.ts';
import { encodeSettings, ownSettingsTag } from '../shared/rolling-settings.ts';
import type { RollingSettingsProgress, UpdateProgress } from '../shared/types.ts';

export interface CheckUpdateDeps {
  eks: EKSClient;
  autoScaling: AutoScalingClient;
  now: () => Date;
}

/**
 * Reads an update's status and says when to look again. Successful means the update
 * ended and its resource is ACTIVE again; Failed and Cancelled carry the EKS error code.
 */
export async function checkUpdate(event: UpdateProgress, deps: CheckUpdateDeps): Promise<UpdateProgress> {
  if (!event.updateId) return event;
  const checked = await inspect(event, deps);
  return { ...(event.foreign ? othersUpdate(event, checked, deps.now()) : checked), polls: event.polls + 1 };
}

/**
 * Someone else's update holding the node group: its end, however it ended, clears the way (the state
 * machine then sends this step's own update). Still running when this step could no longer end
 * before the deadline, the roll is deferred rather than wait on.
 */
function othersUpdate(event: UpdateProgress, checked: UpdateProgress, now: Date): UpdateProgress {
  const foreign = event.foreign;
  // Stuck, it is a person's to look at: the roll fails by name instead of waiting on it again.
  if (checked.failure?.error === 'UpdateStuck') {
    const { foreign: _foreign, ...stuckUpdate } = checked;
    return stuckUpdate;
  }
  if (checked.status !== 'InProgress') {
    const { failure: _failure, ...rest } = checked;
    return {
      ...rest,
      status: 'Successful',
      note: `someone else's ${foreign?.type} ${event.updateId} ended ${checked.status}`,
    };
  }
  if (foreign?.deferAfter && now.getTime() > Date.parse(foreign.deferAfter)) {
    const { foreign: _foreign, progress: _progress, ...rest } = checked;
    return {
      ...rest,
      status: 'Deferred',
      nextWaitSeconds: 0,
      note: `Node group ${event.nodegroupName} is still busy with someone else's update ${event.updateId} (${foreign.type}); its own roll to ${event.target} would no longer end before the deadline, so it was not started. The next run continues from here.`,
    };
  }
  return checked;
}

async function inspect(event: UpdateProgress, deps: CheckUpdateDeps): Promise<UpdateProgress> {
  const { clusterName, nodegroupName, addonName, updateId } = event;
  if (!updateId) return event;
  const { update } = await deps.eks.send(
    new DescribeUpdateCommand({
      name: clusterName,
      updateId,
      ...(nodegroupName ? { nodegroupName } : {}),
      ...(addonName ? { addonName } : {}),
    }),
  );
  if (!update?.status)
    throw new UnexpectedResponseError(`DescribeUpdate ${updateId} on ${clusterName} returned no status.`);

  const startedAt = update.createdAt ?? deps.now();
  const timing = { startedAt: startedAt.toISOString() };
  const ended = { ...timing, finishedAt: deps.now().toISOString() };
  const elapsedSeconds = Math.max(0, (deps.now().getTime() - startedAt.getTime()) / 1000);
  // Someone else's update may have run for hours before this run came: stuck counts from when it first saw it.
  const watchedSince = event.foreign ? Date.parse(event.foreign.seenAt) : startedAt.getTime();
  const watchedSeconds = Math.max(0, (deps.now().getTime() - watchedSince) / 1000);
  const resource = await readResource(event, deps);
  const withProgress = resource.progress ? { progress: resource.progress } : {};

  switch (update.status) {
    case UpdateStatus.IN_PROGRESS: {
      if (watchedSeconds > stuckFactor * event.expectedSeconds) return stuck(event, elapsedSeconds, timing);
      // The tail began after the previous check (which saw old nodes) at the earliest: timed from
      // then, it is never seen begun later than it did, and so never looked at after its end.
      const tailFromSeconds =
        event.tailFromSeconds ??
        (event.rollout && resource.progress && tailHasBegun(resource.progress)
          ? Math.max(0, elapsedSeconds - event.nextWaitSeconds)
          : undefined);
      const polled = tailFromSeconds === undefined ? event : { ...event, tailFromSeconds };
      return {
        ...polled,
        ...withProgress,
        ...timing,
        status: 'InProgress',
        nextWaitSeconds: nextWaitSeconds(polled, elapsedSeconds, resource.progress),
      };
    }
    case UpdateStatus.SUCCESSFUL: {
      // The update record can end before the resource leaves UPDATING; wait for it to settle,
      // but not for ever: a resource that never settles is as stuck as an update.
      if (settling.has(resource.status)) {
        if (watchedSeconds > stuckFactor * event.expectedSeconds) return stuck(event, elapsedSeconds, timing);
        return {
          ...event,
          ...withProgress,
          ...timing,
          status: 'InProgress',
          nextWaitSeconds: pollFloorSeconds,
        };
      }
      // DEGRADED after a good update is the resource's health, not the update's: move on and let
      // Verify Cluster report it (both decide with functions/shared/resource-status.ts).
      if (isSettled(resource.status)) {
        const note = isDegraded(resource.status)
          ? { note: 'the update succeeded; the resource reports DEGRADED' }
          : {};
        return { ...event, ...withProgress, ...ended, ...note, status: 'Successful', nextWaitSeconds: 0 };
      }
      const subject = event.addonName ?? event.nodegroupName ?? event.clusterName;
      return {
        ...event,
        ...withProgress,
        ...ended,
        status: 'Failed',
        nextWaitSeconds: 0,
        failure: {
          error: 'ResourceNotActive',
          cause: `Update ${event.updateId} of ${subject} succeeded, but ${subject} is now ${resource.status}. Look at it in the EKS console before running again.`,
        },
      };
    }
    default:
      return {
        ...event,
        ...withProgress,
        ...ended,
        status: update.status === UpdateStatus.CANCELLED ? 'Cancelled' : 'Failed',
        nextWaitSeconds: 0,
        failure: describeFailure(event, update.status, update.errors ?? [], resource.status),
      };
  }
}

/**
 * An update still running at this many times its long-but-normal duration is stuck (EKS-FACTS 7.7:
 * control planes at worst about 3x their p90): stop polling it for days and tell a person.
 */
const stuckFactor = 6;

function stuck(event: UpdateProgress, elapsedSeconds: number, timing: { startedAt: string }): UpdateProgress {
  const subject = event.addonName
    ? `add-on ${event.addonName}`
    : event.nodegroupName
      ? `node group ${event.nodegroupName}`
      : `the control plane of ${event.clusterName}`;
  const minutes = (seconds: number) => Math.round(seconds / 60);
  return {
    ...event,
    ...timing,
    status: 'Failed',
    nextWaitSeconds: 0,
    failure: {
      error: 'UpdateStuck',
      cause: `Update ${event.updateId} of ${subject} has been in progress for ${minutes(elapsedSeconds)} min, over ${stuckFactor} times the ${minutes(event.expectedSeconds)} min such an update takes at worst. It is still running in EKS and this run stopped following it: look at it (aws eks describe-update), and run again; the next run adopts it while it runs, or continues after it.`,
    },
  };
}

/** Statuses a resource passes through on its way back to ACTIVE after an update. */
const settling: ReadonlySet<string> = new Set(['UPDATING', 'CREATING', 'PENDING']);

interface ResourceState {
  /** The cluster's, node group's or add-on's own status (ACTIVE, UPDATING, DEGRADED...). */
  status: string;
  progress?: RollingProgress;
}

/** Whether the updated resource is ACTIVE and, for a node group, how far its rolling replacement is. */
async function readResource(
  event: UpdateProgress,
  { eks, autoScaling }: CheckUpdateDeps,
): Promise<ResourceState> {
  if (event.addonName) {
    const { addon } = await eks.send(
      new DescribeAddonCommand({ clusterName: event.clusterName, addonName: event.addonName }),
    );
    return { status: addon?.status ?? 'UNKNOWN' };
  }
  if (!event.nodegroupName) {
    try {
      const { cluster } = await eks.send(new DescribeClusterCommand({ name: event.clusterName }));
      return { status: cluster?.status ?? 'UNKNOWN' };
    } catch (error) {
      if (isAwsError(error, 'ResourceNotFoundException')) return { status: 'NOT_FOUND' };
      throw error;
    }
  }
  const { nodegroup } = await eks.send(
    new DescribeNodegroupCommand({ clusterName: event.clusterName, nodegroupName: event.nodegroupName }),
  );
  const status = nodegroup?.status ?? 'UNKNOWN';
  const groupNames = (nodegroup?.resources?.autoScalingGroups ?? []).flatMap((group) =>
    group.name ? [group.name] : [],
  );
  if (groupNames.length === 0) return { status };
  const { AutoScalingGroups: groups = [] } = await autoScaling.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: groupNames }),
  );
  // Progress = instances on the group's current launch template version, out of those not leaving.
  let updated = 0;
  let total = 0;
  let launching = 0;
  let leaving = 0;
  for (const group of groups) {
    // A group of Spot capacity or several instance types names its template in a MixedInstancesPolicy.
    const currentVersion =
      group.LaunchTemplate?.Version ??
      group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification?.Version;
    for (const instance of group.Instances ?? []) {
      const state = instance.LifecycleState ?? '';
      if (state.startsWith('Terminat')) {
        // Old nodes still going hold the tail back; new ones going are the scale-down itself.
        const old = currentVersion === undefined || instance.LaunchTemplate?.Version !== currentVersion;
        if (state !== 'Terminated' && old) leaving += 1;
        continue;
      }
      if (state.startsWith('Pending')) launching += 1;
      total += 1;
      if (currentVersion !== undefined && instance.LaunchTemplate?.Version === currentVersion) updated += 1;
    }
  }
  return { status, progress: { updated, total, launching, leaving } };
}

/** What to do next, per EKS update error code: the part of a failure report a person acts on. */
const adviceByErrorCode: Record<string, string> = {
  PodEvictionFailure:
    'A pod disruption budget (or a pod without a controller) kept pods on the listed nodes from being evicted. Relax that budget or scale its workload, then run again; or run again with "force": true to evict regardless.',
  NodeCreationFailure:
    'New nodes did not join the cluster. Check the node IAM role, the subnets (free IPs, routes) and the launch template, then run again; the node group keeps its old nodes.',
  InsufficientFreeAddresses:
    'The node group subnets have no free IP addresses for the surge nodes. Free some, then run again.',
  ConfigurationConflict:
    'The add-on configuration on the cluster differs from what EKS would apply; this run keeps yours (PRESERVE). Reconcile the fields named above, then run again.',
  AsgInstanceLaunchFailures:
    'The Auto Scaling group could not launch instances (capacity or quota). Check its activity history, then run again.',
};

function describeFailure(
  event: UpdateProgress,
  status: string,
  errors: ErrorDetail[],
  resourceStatus: string,
): { error: string; cause: string } {
  const settings = event.rollingSettings;
  if (settings?.phase === 'apply' || settings?.phase === 'restore')
    return settingsFailure(event, settings, status, errors);
  const first = errors[0];
  // An empty code would leave the Fail state's Error blank: name it after the outcome instead.
  const error =
    first?.errorCode?.trim() || (status === UpdateStatus.CANCELLED ? 'UpdateCancelled' : 'UpdateFailed');
  const subject = event.addonName
    ? `Add-on ${event.addonName} of cluster ${event.clusterName}`
    : event.nodegroupName
      ? `Node group ${event.nodegroupName} of cluster ${event.clusterName}`
      : `Control plane of cluster ${event.clusterName}`;
  const details = errors
    .map((detail) => {
      const resources = detail.resourceIds?.length ? ` (resources: ${detail.resourceIds.join(', ')})` : '';
      return `${detail.errorCode ?? 'Error'}: ${detail.errorMessage ?? 'no message'}${resources}`;
    })
    .join('; ');
  const gone = resourceStatus === 'DELETING' || resourceStatus === 'NOT_FOUND';
  const advice = gone
    ? `${event.addonName ? `Add-on ${event.addonName}` : event.nodegroupName ? `Node group ${event.nodegroupName}` : `Cluster ${event.clusterName}`} is ${resourceStatus === 'DELETING' ? 'being deleted' : 'gone'}: no run can finish this upgrade, and a new run is refused once it is gone.`
    : (adviceByErrorCode[error] ??
      'Look at the update in the EKS console, fix the cause, then run again: the run continues from where it stopped.');
  return {
    error,
    cause: `${subject}: update ${event.updateId} to ${event.target} ended ${status}${details ? `: ${details}` : ''}. ${advice}`,
  };
}

/**
 * A rolling-settings update that did not take: what the group has now, its own settings, how its
 * roll ended (before a restore), and the command that puts its own back by hand.
 */
function settingsFailure(
  event: UpdateProgress,
  settings: RollingSettingsProgress,
  status: string,
  errors: ErrorDetail[],
): { error: string; cause: string } {
  const details = errors.map(
    (detail) => `${detail.errorCode ?? 'Error'}: ${detail.errorMessage ?? 'no message'}`,
  );
  const own = encodeSettings(settings.own);
  const byHand = `aws eks update-nodegroup-config --cluster-name ${event.clusterName} --nodegroup-name ${event.nodegroupName} --update-config ${own.replaceAll(' ', ',')}`;
  const what =
    settings.phase === 'apply'
      ? `Setting this run's rolling settings (${encodeSettings(settings.wanted)}) on node group ${event.nodegroupName} ended ${status}${details.length > 0 ? ` (${details.join('; ')})` : ''}, so it was not rolled.`
      : `Node group ${event.nodegroupName}'s roll ended ${settings.roll?.status ?? 'unknown'}${settings.roll?.failure ? ` (${settings.roll.failure.error}: ${settings.roll.failure.cause})` : ''}; putting its own rolling settings back then ended ${status}${details.length > 0 ? ` (${details.join('; ')})` : ''}.`;
  return {
    error: 'RollingSettingsUpdateFailed',
    cause: `${what} Its own settings are ${own} (kept in its tag ${ownSettingsTag}); the next run puts them back, or: ${byHand}`,
  };
}
