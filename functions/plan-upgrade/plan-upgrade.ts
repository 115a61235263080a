import {
  ClusterStatus,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  type EKSClient,
  type Nodegroup,
  paginateListNodegroups,
} from '@aws-sdk/client-eks';
import {
  ClusterNotFoundError,
  ClusterNotReadyError,
  DowngradeRefusedError,
  isAwsError,
  NodegroupNotFoundError,
  UnexpectedResponseError,
  UnsupportedTargetError,
} from '../shared/errors.ts';
import { parseUpgradeInput, type UpgradeInput } from '../shared/input.ts';
import type { PlannedNodegroup, UpgradePlan } from '../shared/types.ts';
import {
  compareMinor,
  formatMinor,
  type MinorVersion,
  minorsBetween,
  nextMinor,
  parseMinor,
} from '../shared/versions.ts';

export interface PlanUpgradeEvent {
  input: unknown;
  executionName: string;
}

export interface PlanUpgradeDeps {
  eks: EKSClient;
}

/** An UPDATING cluster may be running the very update this run wants: the update step adopts it. */
const plannableStatuses: ReadonlySet<string> = new Set([ClusterStatus.ACTIVE, ClusterStatus.UPDATING]);

/**
 * Reads the cluster and its managed node groups and decides what moves; changes nothing.
 * @throws InvalidInputError, ClusterNotFoundError, ClusterNotReadyError, DowngradeRefusedError,
 *   UnsupportedTargetError or NodegroupNotFoundError, each before any mutating call.
 */
export async function planUpgrade(event: PlanUpgradeEvent, { eks }: PlanUpgradeDeps): Promise<UpgradePlan> {
  const input = parseUpgradeInput(event.input);
  const cluster = await describeCluster(eks, input.clusterName);
  if (!cluster.version || !cluster.status) {
    throw new UnexpectedResponseError(
      `DescribeCluster for ${input.clusterName} returned no version or status.`,
    );
  }
  if (!plannableStatuses.has(cluster.status)) {
    throw new ClusterNotReadyError(
      `Cluster ${input.clusterName} is ${cluster.status}; an upgrade can only start from ACTIVE (or adopt a running update). Nothing was changed.`,
    );
  }
  const current = parseVersion(cluster.version, `cluster ${input.clusterName}`);
  const target = resolveTarget(input, current);

  const names = await listNodegroupNames(eks, input.clusterName);
  const selected = selectNodegroups(input, names);
  const nodegroups = await Promise.all(
    selected.map((name) => describeNodegroup(eks, input.clusterName, name)),
  );
  const planned = nodegroups.map((nodegroup) => planNodegroup(nodegroup, target, input));

  const targetVersion = formatMinor(target);
  const plan: UpgradePlan = {
    clusterName: input.clusterName,
    executionName: event.executionName,
    currentVersion: cluster.version,
    targetVersion,
    controlPlane: { moves: compareMinor(current, target) < 0, from: cluster.version, to: targetVersion },
    nodegroups: planned,
    force: input.force,
    maxConcurrentNodegroups: input.maxConcurrentNodegroups,
    dryRun: input.dryRun,
    notify: input.notify,
    releaseVersion: input.releaseVersion ?? null,
    summary: '',
    subjects: notificationSubjects(input.clusterName, cluster.version, targetVersion),
  };
  return { ...plan, summary: summarize(plan) };
}

async function describeCluster(eks: EKSClient, clusterName: string) {
  try {
    const { cluster } = await eks.send(new DescribeClusterCommand({ name: clusterName }));
    if (!cluster)
      throw new UnexpectedResponseError(`DescribeCluster for ${clusterName} returned no cluster.`);
    return cluster;
  } catch (error) {
    if (isAwsError(error, 'ResourceNotFoundException')) {
      throw new ClusterNotFoundError(
        `Cluster ${clusterName} does not exist in this account and region; check the name. Nothing was changed.`,
        { cause: error },
      );
    }
    throw error;
  }
}

function parseVersion(text: string, owner: string): MinorVersion {
  const version = parseMinor(text);
  if (!version)
    throw new UnexpectedResponseError(`${owner} reports version "${text}", which is not major.minor.`);
  return version;
}

/** The control plane moves one minor per update; this run takes at most one such hop. */
function resolveTarget(input: UpgradeInput, current: MinorVersion): MinorVersion {
  if (input.targetVersion === undefined) return current;
  if (input.targetVersion === 'next') return nextMinor(current);
  const target = parseVersion(input.targetVersion, 'targetVersion');
  const ahead = minorsBetween(current, target);
  if (ahead < 0) {
    throw new DowngradeRefusedError(
      `Cluster ${input.clusterName} is on ${formatMinor(current)}, newer than the requested target ${input.targetVersion}; EKS cannot downgrade a control plane. Nothing was changed.`,
    );
  }
  if (ahead > 1) {
    throw new UnsupportedTargetError(
      `Cluster ${input.clusterName} is on ${formatMinor(current)}; ${input.targetVersion} is ${ahead} minor versions ahead and this run moves one at a time: ask for ${formatMinor(nextMinor(current))} first. Nothing was changed.`,
    );
  }
  return target;
}

async function listNodegroupNames(eks: EKSClient, clusterName: string): Promise<string[]> {
  const names: string[] = [];
  for await (const page of paginateListNodegroups({ client: eks }, { clusterName })) {
    names.push(...(page.nodegroups ?? []));
  }
  return names;
}

function selectNodegroups(input: UpgradeInput, names: string[]): string[] {
  if (!input.nodegroups) return names;
  const missing = input.nodegroups.filter((name) => !names.includes(name));
  if (missing.length > 0) {
    throw new NodegroupNotFoundError(
      `Cluster ${input.clusterName} has no managed node group named ${missing.join(', ')} (it has: ${names.join(', ') || 'none'}). Nothing was changed.`,
    );
  }
  return input.nodegroups;
}

async function describeNodegroup(
  eks: EKSClient,
  clusterName: string,
  nodegroupName: string,
): Promise<Nodegroup> {
  const { nodegroup } = await eks.send(new DescribeNodegroupCommand({ clusterName, nodegroupName }));
  if (!nodegroup) {
    throw new UnexpectedResponseError(
      `DescribeNodegroup for ${clusterName}/${nodegroupName} returned nothing.`,
    );
  }
  return nodegroup;
}

function planNodegroup(nodegroup: Nodegroup, target: MinorVersion, input: UpgradeInput): PlannedNodegroup {
  const name = nodegroup.nodegroupName ?? 'unknown';
  const currentText = nodegroup.version ?? '';
  const current = parseVersion(currentText, `node group ${name}`);
  // A kubelet may never be newer than the API server: refusing here keeps the run from creating that skew.
  if (compareMinor(current, target) > 0) {
    throw new DowngradeRefusedError(
      `Node group ${name} is on ${currentText}, newer than the requested target ${formatMinor(target)}; refusing to downgrade. Nothing was changed.`,
    );
  }
  const releaseVersion = nodegroup.releaseVersion ?? '';
  const template = nodegroup.launchTemplate;
  return {
    name,
    currentVersion: currentText,
    releaseVersion,
    desiredSize: nodegroup.scalingConfig?.desiredSize ?? 0,
    maxUnavailable: maxUnavailable(nodegroup),
    moves:
      compareMinor(current, target) < 0 ||
      (input.releaseVersion !== undefined && input.releaseVersion !== releaseVersion),
    ...(template
      ? {
          launchTemplate: {
            ...(template.id ? { id: template.id } : {}),
            ...(template.name ? { name: template.name } : {}),
            ...(template.version ? { version: template.version } : {}),
          },
        }
      : {}),
  };
}

/** EKS drains this many nodes at once (updateConfig; default 1). */
function maxUnavailable(nodegroup: Nodegroup): number {
  const config = nodegroup.updateConfig;
  if (config?.maxUnavailable) return config.maxUnavailable;
  const desired = nodegroup.scalingConfig?.desiredSize ?? 1;
  if (config?.maxUnavailablePercentage)
    return Math.max(1, Math.floor((desired * config.maxUnavailablePercentage) / 100));
  return 1;
}

/** SNS refuses subjects over 100 characters, and cluster names may be 100 long. */
function notificationSubjects(clusterName: string, from: string, to: string): UpgradePlan['subjects'] {
  const subject = (outcome: string) => {
    const tail = ` ${from} -> ${to}: ${outcome}`;
    const room = 100 - 'EKS '.length - tail.length;
    const name = clusterName.length > room ? `${clusterName.slice(0, room - 3)}...` : clusterName;
    return `EKS ${name}${tail}`;
  };
  return {
    start: subject('upgrade started'),
    success: subject('upgrade succeeded'),
    failure: subject('upgrade FAILED'),
  };
}

function summarize(plan: UpgradePlan): string {
  const lines = [
    plan.controlPlane.moves
      ? `Control plane of ${plan.clusterName}: ${plan.controlPlane.from} -> ${plan.controlPlane.to}.`
      : `Control plane of ${plan.clusterName} stays on ${plan.currentVersion}.`,
  ];
  for (const nodegroup of plan.nodegroups) {
    lines.push(
      nodegroup.moves
        ? `Node group ${nodegroup.name}: ${nodegroup.currentVersion} (${nodegroup.releaseVersion}) -> ${plan.targetVersion}${plan.releaseVersion ? ` (${plan.releaseVersion})` : ''}, ${nodegroup.desiredSize} nodes replaced ${nodegroup.maxUnavailable} at a time${plan.force ? ', pod disruption budgets IGNORED (force)' : ', pod disruption budgets respected'}.`
        : `Node group ${nodegroup.name}: stays on ${nodegroup.currentVersion} (${nodegroup.releaseVersion}).`,
    );
  }
  return lines.join('\n');
}
