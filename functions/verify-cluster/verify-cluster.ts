import {
  ClusterStatus,
  DescribeAddonCommand,
  DescribeClusterCommand,
  type EKSClient,
} from '@aws-sdk/client-eks';
import { compareAddonVersions, parseAddonVersion } from '../shared/addon-versions.ts';
import { VerificationFailedError } from '../shared/errors.ts';
import { deletion, describeNodegroupIfPresent } from '../shared/nodegroups.ts';
import { compareReleases } from '../shared/release-versions.ts';
import { isDegraded, isSettled } from '../shared/resource-status.ts';
import type { StageResult, UpgradePlan } from '../shared/types.ts';
import { compareMinor, parseMinor } from '../shared/versions.ts';

/** The plan's start and end points, and what each stage execution reported. */
export type VerifyClusterEvent = Pick<
  UpgradePlan,
  'clusterName' | 'currentVersion' | 'targetVersion' | 'expected'
> & { stageResults?: StageResult[] };

export interface VerifyClusterDeps {
  eks: EKSClient;
}

export interface Verification {
  clusterName: string;
  version: string;
  nodegroups: Array<{ name: string; version: string; releaseVersion: string; status: string }>;
  addons: Array<{ name: string; version: string; status: string }>;
  /** Health issues EKS reports on the cluster, node groups or add-ons; they do not fail the run. */
  warnings: string[];
  /** The success notification: where the cluster is now, each update ID with its duration, warnings. */
  report: string;
}

/**
 * Checks the cluster ended as planned: control plane, node groups and add-ons on their planned
 * versions and ACTIVE (or DEGRADED, reported as a warning, as Check Update treats it).
 * @throws VerificationFailedError listing every difference.
 */
export async function verifyCluster(
  plan: VerifyClusterEvent,
  { eks }: VerifyClusterDeps,
): Promise<Verification> {
  const clusterName = plan.clusterName;
  const { cluster } = await eks.send(new DescribeClusterCommand({ name: clusterName }));
  const problems: string[] = [];
  const warnings = issuesOf(`cluster ${clusterName}`, cluster?.health?.issues);
  const version = cluster?.version ?? 'unknown';
  // Past the target, someone moved it further (by hand, or another run): no rerun could undo that.
  const pastTarget = atOrPast(parseMinor(version), parseMinor(plan.targetVersion), compareMinor);
  if (version !== plan.targetVersion && !pastTarget)
    problems.push(`control plane is on ${version}, not ${plan.targetVersion}`);
  else if (version !== plan.targetVersion)
    warnings.push(
      `the control plane is on ${version}, past the target ${plan.targetVersion}: it was moved outside this run`,
    );
  if (cluster?.status !== ClusterStatus.ACTIVE)
    problems.push(`cluster is ${cluster?.status ?? 'unknown'}, not ACTIVE`);

  const nodegroups: Verification['nodegroups'] = [];
  for (const expected of plan.expected.nodegroups) {
    const nodegroup = await describeNodegroupIfPresent(eks, clusterName, expected.name);
    const deleted = deletion(nodegroup);
    if (deleted) {
      warnings.push(`node group ${expected.name} ${deleted}: it was deleted outside this run`);
      continue;
    }
    const actual = {
      name: expected.name,
      version: nodegroup?.version ?? 'unknown',
      releaseVersion: nodegroup?.releaseVersion ?? 'unknown',
      status: nodegroup?.status ?? 'unknown',
    };
    nodegroups.push(actual);
    warnings.push(...issuesOf(`node group ${expected.name}`, nodegroup?.health?.issues));
    if (!isSettled(actual.status))
      problems.push(`node group ${expected.name} is ${actual.status}, not ACTIVE`);
    else if (isDegraded(actual.status)) warnings.push(`node group ${expected.name} reports DEGRADED`);
    // At or past the plan is fine: a step skips when someone already moved the resource further.
    if (
      expected.version !== null &&
      !atOrPast(parseMinor(actual.version), parseMinor(expected.version), compareMinor)
    ) {
      problems.push(`node group ${expected.name} is on ${actual.version}, not ${expected.version}`);
    } else if (
      expected.releaseVersion !== null &&
      actual.version === expected.version &&
      actual.releaseVersion !== expected.releaseVersion &&
      (compareReleases(actual.releaseVersion, expected.releaseVersion) ?? -1) < 0
    ) {
      problems.push(
        `node group ${expected.name} runs release ${actual.releaseVersion}, not ${expected.releaseVersion}`,
      );
    }
  }

  // A replaced AL2 group must be gone: its replacement runs in its place.
  for (const name of plan.expected.deleted ?? []) {
    const nodegroup = await describeNodegroupIfPresent(eks, clusterName, name);
    if (nodegroup)
      problems.push(`node group ${name}, replaced, still exists (${nodegroup.status ?? 'unknown'})`);
  }

  const addons: Verification['addons'] = [];
  for (const expected of plan.expected.addons) {
    const { addon } = await eks.send(new DescribeAddonCommand({ clusterName, addonName: expected.name }));
    const actual = {
      name: expected.name,
      version: addon?.addonVersion ?? 'unknown',
      status: addon?.status ?? 'unknown',
    };
    addons.push(actual);
    warnings.push(...issuesOf(`add-on ${expected.name}`, addon?.health?.issues));
    if (!isSettled(actual.status)) problems.push(`add-on ${expected.name} is ${actual.status}, not ACTIVE`);
    else if (isDegraded(actual.status)) warnings.push(`add-on ${expected.name} reports DEGRADED`);
    const addonAtOrPast = atOrPast(
      parseAddonVersion(actual.version),
      parseAddonVersion(expected.version),
      compareAddonVersions,
    );
    if (actual.version !== expected.version && !addonAtOrPast) {
      problems.push(`add-on ${expected.name} is ${actual.version}, not ${expected.version}`);
    }
  }

  if (problems.length > 0) {
    throw new VerificationFailedError(
      `Cluster ${clusterName} did not end as planned: ${problems.join('; ')}. Run again to finish the upgrade.`,
    );
  }
  const verified = { clusterName, version, nodegroups, addons, warnings };
  return { ...verified, report: reportOf(plan, verified) };
}

function reportOf(plan: VerifyClusterEvent, verified: Omit<Verification, 'report'>): string {
  const lines = [
    `Cluster ${plan.clusterName} is on Kubernetes ${verified.version} (from ${plan.currentVersion}).`,
    ...alike(verified.nodegroups, (ng) => `${ng.version}, release ${ng.releaseVersion}, ${ng.status}`).map(
      ({ names, state }) =>
        names.length === 1
          ? `Node group ${names[0]}: ${state}.`
          : `Node groups ${names.length <= 5 ? names.join(', ') : `${names[0]} ... ${names.at(-1)} (${names.length})`}: ${state}.`,
    ),
    ...verified.addons.map((addon) => `Add-on ${addon.name}: ${addon.version}, ${addon.status}.`),
    ...(plan.expected.leftToUser ?? []),
    ...((plan.expected.deleted ?? []).length > 0
      ? [`Replaced by node groups of another AMI type, and deleted: ${plan.expected.deleted?.join(', ')}.`]
      : []),
  ];
  const stages = plan.stageResults ?? [];
  const updates = stages.flatMap((stage) => [
    ...(stage.controlPlane ? [stage.controlPlane] : []),
    ...stage.addons,
    ...stage.nodegroups.updates,
  ]);
  const started = updates.filter((update) => update.updateId);
  lines.push('', started.length > 0 ? 'Updates:' : 'No update was needed.');
  for (const update of started) {
    const minutes = update.minutes === null ? '' : ` in ${update.minutes} min`;
    lines.push(
      `- ${update.what} -> ${update.target}: update ${update.updateId} ${update.status}${minutes}${update.adopted ? ' (adopted)' : ''}`,
    );
  }
  for (const stage of stages) {
    const { rolled, updates: listed, fastestMinutes, slowestMinutes } = stage.nodegroups;
    if (rolled <= listed.length) continue;
    const span = fastestMinutes === null ? '' : ` (${fastestMinutes}-${slowestMinutes} min each)`;
    lines.push(
      `- stage ${stage.index}: ${rolled - listed.length} more node groups rolled${span}; each roll execution of the stage has its update ID.`,
    );
  }
  if (verified.warnings.length > 0)
    lines.push('', 'Warnings:', ...verified.warnings.map((warning) => `- ${warning}`));
  return lines.join('\n');
}

/** Resources that ended alike, together: a hundred node groups on one release read as one line. */
function alike<T extends { name: string }>(
  items: T[],
  stateOf: (item: T) => string,
): Array<{ names: string[]; state: string }> {
  const groups = new Map<string, string[]>();
  for (const item of items) groups.set(stateOf(item), [...(groups.get(stateOf(item)) ?? []), item.name]);
  return [...groups].map(([state, names]) => ({ names, state }));
}

/** True when a parsed version is the expected one or newer; false when either does not parse. */
function atOrPast<T>(
  actual: T | undefined,
  expected: T | undefined,
  compare: (a: T, b: T) => number,
): boolean {
  return actual !== undefined && expected !== undefined && compare(actual, expected) >= 0;
}

interface HealthIssue {
  code?: string | undefined;
  message?: string | undefined;
  resourceIds?: string[] | undefined;
}

function issuesOf(owner: string, issues: HealthIssue[] | undefined): string[] {
  return (issues ?? []).map(
    (issue) =>
      `${owner}: ${issue.code ?? 'Issue'}: ${issue.message ?? ''}${issue.resourceIds?.length ? ` (${issue.resourceIds.join(', ')})` : ''}`,
  );
}
