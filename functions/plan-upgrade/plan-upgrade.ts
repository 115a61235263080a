import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { type CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeLaunchTemplateVersionsCommand,
  type DescribeLaunchTemplateVersionsCommandOutput,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import {
  ClusterStatus,
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  type EKSClient,
  type Nodegroup,
  paginateDescribeClusterVersions,
  paginateListAddons,
  paginateListInsights,
  paginateListNodegroups,
} from '@aws-sdk/client-eks';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { type AddonCatalog, readAddonCatalog } from '../shared/addon-steps.ts';
import {
  isAl2,
  recommendedReleaseParameter,
  releaseImageParameter,
  replacementAmiTypeOf,
  replacementName,
} from '../shared/ami-types.ts';
import { ensureDeadlineAhead } from '../shared/deadline.ts';
import {
  AlarmsAlreadyFiringError,
  ClusterNotAllowedError,
  ClusterNotFoundError,
  ClusterNotReadyError,
  DowngradeRefusedError,
  EarlierGateFailureError,
  InvalidInputError,
  isAwsError,
  NodegroupNotFoundError,
  ReplacementRefusedError,
  UnexpectedResponseError,
  UnsupportedTargetError,
} from '../shared/errors.ts';
import { matchesClusterPattern } from '../shared/fleet.ts';
import { parseUpgradeInput, type UpgradeInput } from '../shared/input.ts';
import { replacesTag } from '../shared/nodegroups.ts';
import { batchSizeOf } from '../shared/polling.ts';
import { ownSettingsTag } from '../shared/rolling-settings.ts';
import { controlPlaneHops, skewAllows } from '../shared/rotation-plan.ts';
import type { PlanInsight, PlannedNodegroup, UpgradePlan } from '../shared/types.ts';
import { compareMinor, formatMinor, type MinorVersion, nextMinor, parseMinor } from '../shared/versions.ts';
import { buildPlan, type ClusterFacts, ensureStepsFitWindow, nodegroupEndVersion } from './build-plan.ts';
import { ensureNoEarlierUpgrade, lastRunStoppedAtGate, type UpgradeExecutions } from './cluster-lock.ts';
import { planRollbackOf } from './rollback-plan.ts';
import { planOutsideCompute } from './unmanaged-compute.ts';

export interface PlanUpgradeEvent {
  input: unknown;
  executionName: string;
  /** $$.Execution.StartTime: which of two executions for one cluster came first. */
  executionStartTime?: string;
}

export interface PlanUpgradeDeps {
  eks: EKSClient;
  /** Tells managed node groups' nodes from the rest, when the skew insight flags nodes. */
  autoScaling: AutoScalingClient;
  /** Reads an AL2 group's launch template before a replacement takes it (its user data). */
  ec2: EC2Client;
  ssm: SSMClient;
  /** Checks the bake's alarms exist before anything changes. */
  cloudWatch: CloudWatchClient;
  /** The template's ClusterNamePattern (IAM-style: * and ?). */
  allowedClusters: string;
  now: () => Date;
  /** The running upgrades, for one per cluster; absent for a plan nobody runs (`eks-upgrade plan`). */
  executions?: UpgradeExecutions;
  /** The template's NodeRoleArns: node roles this stack may pass to EKS for replacement node groups (unchecked when absent: `eks-upgrade plan`). */
  replacementNodeRoles?: string[];
}

/** An UPDATING cluster may be running the very update this run wants: the update step adopts it. */
const plannableStatuses: ReadonlySet<string> = new Set([ClusterStatus.ACTIVE, ClusterStatus.UPDATING]);

/**
 * Reads the cluster, its node groups, add-ons, insights and the version calendar, and plans
 * every stage of the upgrade. Changes nothing.
 * @throws InvalidInputError, ClusterNotFoundError, ClusterNotReadyError, DowngradeRefusedError,
 *   UnsupportedTargetError, InsightsBlockUpgradeError or NodegroupNotFoundError, each before any change.
 */
export async function planUpgrade(event: PlanUpgradeEvent, deps: PlanUpgradeDeps): Promise<UpgradePlan> {
  const input = parseUpgradeInput(event.input);
  ensureAllowed(input.clusterName, deps.allowedClusters);
  ensureDeadlineAhead(input, deps.now());
  // A dry run changes nothing, so it may plan beside a running upgrade.
  if (deps.executions && !input.dryRun) {
    const self = {
      name: event.executionName,
      startTime: event.executionStartTime ?? deps.now().toISOString(),
      roleArn: input.roleArn ?? null,
    };
    await ensureNoEarlierUpgrade(input.clusterName, self, deps.executions);
    // A rollback is what a person runs after a gate failed; anything else waits for their word.
    const stopped = input.rollback
      ? undefined
      : await lastRunStoppedAtGate(input.clusterName, self, deps.executions);
    if (stopped && !input.acknowledgeGateFailure) {
      throw new EarlierGateFailureError(
        `${stopped} A new run would roll the node groups onto the version the gate found wanting, without a bake, or take the same hop and roll it back again. Look at what the gate saw; then run with "acknowledgeGateFailure": true, or roll back (eks-upgrade rollback). Nothing was changed.`,
      );
    }
  }
  const cluster = await describeCluster(deps.eks, input.clusterName);
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
  if (input.rollback) {
    const addons = (await readAddons(deps.eks, input.clusterName)).map(({ name, version }) => ({
      name,
      version,
    }));
    return planRollbackOf(deps.eks, cluster, input, event.executionName, deps.now(), addons);
  }
  const current = parseVersion(cluster.version, `cluster ${input.clusterName}`);
  const notes: string[] = [];
  const target = await resolveTarget(deps.eks, input, current, notes);
  const targetText = formatMinor(target);
  if (input.releaseVersion && !input.releaseVersion.startsWith(`${targetText}.`)) {
    throw new InvalidInputError(
      `releaseVersion ${input.releaseVersion} is not a release of Kubernetes ${targetText}, the version the node groups end on. Nothing was changed.`,
    );
  }
  const hopVersions = controlPlaneHops(current, target).map(formatMinor);

  const described = new Map<string, Nodegroup>();
  const allNodegroups = await readNodegroups(deps.eks, input, described);
  for (const nodegroup of allNodegroups) {
    if (compareMinor(parseVersion(nodegroup.currentVersion, `node group ${nodegroup.name}`), target) > 0) {
      throw new DowngradeRefusedError(
        `Node group ${nodegroup.name} is on ${nodegroup.currentVersion}, newer than the requested target ${targetText}; refusing to downgrade. Nothing was changed.`,
      );
    }
  }
  ensureUnselectedNodegroupsKeepUp(allNodegroups, input, current, target);
  const nodegroups = input.nodegroups
    ? input.nodegroups.flatMap((name) => allNodegroups.filter((nodegroup) => nodegroup.name === name))
    : allNodegroups;
  await ensurePinnedReleasePublished(deps.ssm, input, { current, target }, nodegroups);
  if (input.replaceAl2) {
    const versions = { current, target };
    await planAl2Replacements(deps, input, input.replaceAl2, versions, nodegroups, described, notes);
    // A rerun that names the old groups: the replacements an earlier run made roll with them.
    for (const replacement of nodegroups.flatMap((nodegroup) => nodegroup.replacement ?? [])) {
      const made = allNodegroups.find((nodegroup) => nodegroup.name === replacement.name);
      if (replacement.exists && made && !nodegroups.includes(made)) nodegroups.push(made);
    }
  }
  const installedAddons = await readAddons(deps.eks, input.clusterName);
  const addons = installedAddons.map(({ name, version }) => ({ name, version }));
  const insights = await readInsights(deps.eks, input.clusterName, hopVersions);
  const { autoMode, leftToUser } = await planOutsideCompute(
    { ...deps, clusterName: input.clusterName, hops: controlPlaneHops(current, target), insights, described },
    { cluster, nodegroups: allNodegroups, input, current, target, notes },
  );
  const facts: ClusterFacts = {
    clusterName: input.clusterName,
    current,
    target,
    nodegroups,
    addons,
    addonCatalogs: await readAddonCatalogs(
      deps.eks,
      addons.map((addon) => addon.name),
      addons.length > 0 ? [formatMinor(current), ...hopVersions] : [],
    ),
    insights,
    autoMode,
    leftToUser,
    recommendedReleases: await readRecommendedReleases(deps.ssm, { current, target }, nodegroups, input),
    notes,
  };
  const plan = buildPlan(facts, input, event.executionName);
  ensureStepsFitWindow(plan, input);
  if (plan.bake) {
    await ensureAlarmsQuiet(deps.cloudWatch, plan.bake.alarms);
    plan.bake.knownIssues = healthIssueKeys(cluster, installedAddons);
  }
  return plan;
}

/** The health issues EKS reports now, as the gate keys them: the bake fails only on new ones. */
function healthIssueKeys(
  cluster: { health?: { issues?: Array<{ code?: string | undefined }> | undefined } | undefined },
  addons: Array<{ name: string; issueCodes: string[] }>,
): string[] {
  const keys = [
    ...(cluster.health?.issues ?? []).map((issue) => `cluster:${issue.code ?? 'issue'}`),
    ...addons.flatMap(({ name, issueCodes }) => issueCodes.map((code) => `addon:${name}:${code}`)),
  ];
  return [...new Set(keys)];
}

/**
 * A gate that watches an alarm nobody can find would pass for ever, and one already in ALARM would
 * fail the first look at a healthy hop (and with rollback, take it back): refuse both up front.
 * Composite alarms are asked for too (without AlarmTypes, DescribeAlarms lists metric alarms only).
 * @throws InvalidInputError naming the alarms this account and region do not have;
 *   AlarmsAlreadyFiringError naming those already in ALARM.
 */
async function ensureAlarmsQuiet(cloudWatch: CloudWatchClient, names: string[]): Promise<void> {
  if (names.length === 0) return;
  const { MetricAlarms = [], CompositeAlarms = [] } = await cloudWatch.send(
    new DescribeAlarmsCommand({ AlarmNames: names, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }),
  );
  const alarms = [...MetricAlarms, ...CompositeAlarms];
  const found = new Set(alarms.map((alarm) => alarm.AlarmName));
  const missing = names.filter((name) => !found.has(name));
  if (missing.length > 0) {
    throw new InvalidInputError(
      `bake.alarms names alarms this account and region do not have: ${missing.join(', ')}. Nothing was changed.`,
    );
  }
  const firing = alarms.filter((alarm) => alarm.StateValue === 'ALARM');
  if (firing.length > 0) {
    throw new AlarmsAlreadyFiringError(
      `The bake's alarms are in ALARM before the upgrade began: ${firing.map((alarm) => `${alarm.AlarmName} (${alarm.StateReason ?? 'ALARM'})`).join('; ')}. A gate that fails before any change would judge the upgrade by it; nothing was changed. Run again once they are OK.`,
    );
  }
}

/**
 * IAM would deny the calls for a cluster outside the pattern half-way through; refuse it up front.
 * @throws ClusterNotAllowedError
 */
function ensureAllowed(clusterName: string, pattern: string): void {
  if (matchesClusterPattern(clusterName, pattern)) return;
  throw new ClusterNotAllowedError(
    `Cluster ${clusterName} is outside the clusters this stack may upgrade (${pattern}); deploy it with a ClusterNamePattern that covers it. Nothing was changed.`,
  );
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

/**
 * "next", "latest", a pinned version or nothing (stay), checked against the versions EKS offers
 * in this region (DescribeClusterVersions).
 */
/**
 * What ending on the target costs: in extended support a control plane costs $0.60 per cluster-hour
 * instead of $0.10 (EKS-FACTS 7.5), and the note names the oldest version in standard support.
 */
function supportCostNotes(targetText: string, offered: Map<string, string>): string[] {
  if (offered.get(targetText) !== 'EXTENDED_SUPPORT') return [];
  const standard = oldestInStandardSupport(offered);
  return [
    `Kubernetes ${targetText} is in extended support: the control plane costs $0.60 per cluster-hour instead of $0.10 (about $365 a month more)${standard ? `; "targetVersion": "standard" would end on ${formatMinor(standard)}, the oldest version in standard support` : ''}.`,
  ];
}

/** The oldest version EKS offers in standard support, at or past `from` when given. */
function oldestInStandardSupport(
  offered: Map<string, string>,
  from?: MinorVersion,
): MinorVersion | undefined {
  return [...offered.entries()]
    .filter(([, status]) => status === 'STANDARD_SUPPORT')
    .flatMap(([text]) => parseMinor(text) ?? [])
    .filter((version) => !from || compareMinor(version, from) >= 0)
    .sort(compareMinor)[0];
}

async function resolveTarget(
  eks: EKSClient,
  input: UpgradeInput,
  current: MinorVersion,
  notes: string[],
): Promise<MinorVersion> {
  if (input.targetVersion === undefined) return current;
  const offered = new Map<string, string>();
  for await (const page of paginateDescribeClusterVersions({ client: eks }, { includeAll: true })) {
    for (const info of page.clusterVersions ?? []) {
      if (info.clusterVersion) offered.set(info.clusterVersion, info.versionStatus ?? 'UNKNOWN');
    }
  }
  const supported = [...offered.entries()]
    .filter(([, status]) => status !== 'UNSUPPORTED')
    .flatMap(([text]) => parseMinor(text) ?? []);
  let target: MinorVersion;
  if (input.targetVersion === 'latest') {
    const newest = supported.sort(compareMinor).at(-1);
    if (!newest)
      throw new UnsupportedTargetError(
        'EKS lists no supported Kubernetes version in this region. Nothing was changed.',
      );
    target = compareMinor(newest, current) > 0 ? newest : current;
  } else if (input.targetVersion === 'standard') {
    // The cheapest safe target: the oldest version still in standard support, at or past the current one.
    const standard = oldestInStandardSupport(offered, current);
    if (!standard)
      throw new UnsupportedTargetError(
        `EKS lists no version in standard support at or past ${formatMinor(current)} here. Nothing was changed.`,
      );
    target = standard;
  } else if (input.targetVersion === 'next') {
    // On the newest version EKS offers, "next" (a fleet's default) stays: a window then only refreshes AMIs.
    const next = nextMinor(current);
    target = offered.has(formatMinor(next)) ? next : current;
    if (target === current)
      notes.push(
        `Kubernetes ${formatMinor(current)} is the newest version EKS offers here; nothing to move to.`,
      );
  } else {
    target = parseVersion(input.targetVersion, 'targetVersion');
    if (compareMinor(target, current) === 0)
      notes.push(
        `Cluster ${input.clusterName} is already on ${formatMinor(current)}: this run is an AMI refresh of its node groups.`,
      );
  }
  const targetText = formatMinor(target);
  if (compareMinor(target, current) < 0) {
    throw new DowngradeRefusedError(
      `Cluster ${input.clusterName} is on ${formatMinor(current)}, newer than the requested target ${targetText}; EKS cannot downgrade a control plane. Nothing was changed.`,
    );
  }
  // Checked before walking the path: a target on another major, or absurdly far, has no path.
  if (!offered.has(targetText) && compareMinor(target, current) > 0) {
    throw new UnsupportedTargetError(
      `Kubernetes ${targetText} is not a version EKS offers in this region (it offers ${[...offered.keys()].join(', ')}). Nothing was changed.`,
    );
  }
  for (const hop of controlPlaneHops(current, target).map(formatMinor)) {
    const status = offered.get(hop);
    if (status === undefined) {
      throw new UnsupportedTargetError(
        `Kubernetes ${hop} is not a version EKS offers in this region (it offers ${[...offered.keys()].join(', ')}); the path to ${targetText} cannot be taken. Nothing was changed.`,
      );
    }
    if (status === 'UNSUPPORTED')
      notes.push(`Kubernetes ${hop} is past the end of EKS support; plan to move on from it.`);
  }
  notes.push(...supportCostNotes(targetText, offered));
  return target;
}

/** Every managed node group of the cluster, the ones the input leaves out included (they still limit the hops). */
async function readNodegroups(
  eks: EKSClient,
  input: UpgradeInput,
  described: Map<string, Nodegroup>,
): Promise<PlannedNodegroup[]> {
  const names: string[] = [];
  for await (const page of paginateListNodegroups({ client: eks }, { clusterName: input.clusterName })) {
    names.push(...(page.nodegroups ?? []));
  }
  const missing = (input.nodegroups ?? []).filter((name) => !names.includes(name));
  if (missing.length > 0) {
    throw new NodegroupNotFoundError(
      `Cluster ${input.clusterName} has no managed node group named ${missing.join(', ')} (it has: ${names.join(', ') || 'none'}). Nothing was changed.`,
    );
  }
  return Promise.all(
    names.map(async (nodegroupName) => {
      const { nodegroup } = await eks.send(
        new DescribeNodegroupCommand({ clusterName: input.clusterName, nodegroupName }),
      );
      if (!nodegroup?.version) {
        throw new UnexpectedResponseError(
          `DescribeNodegroup for ${input.clusterName}/${nodegroupName} returned no version.`,
        );
      }
      described.set(nodegroupName, nodegroup);
      return plannedNodegroup(nodegroupName, nodegroup);
    }),
  );
}

function plannedNodegroup(name: string, nodegroup: Nodegroup): PlannedNodegroup {
  const releaseVersion = nodegroup.releaseVersion ?? '';
  const template = nodegroup.launchTemplate;
  const desiredSize = nodegroup.scalingConfig?.desiredSize ?? 0;
  const maxUnavailable = batchSizeOf(nodegroup.updateConfig, desiredSize);
  return {
    name,
    currentVersion: nodegroup.version ?? '',
    releaseVersion,
    amiType: nodegroup.amiType ?? 'CUSTOM',
    desiredSize,
    maxUnavailable,
    // With a custom AMI in its launch template, releaseVersion holds the AMI id.
    customAmi: releaseVersion.startsWith('ami-') || nodegroup.amiType === 'CUSTOM',
    ...(nodegroup.status === 'UPDATING' ? { updating: true as const } : {}),
    ...(nodegroup.tags?.[ownSettingsTag] !== undefined ? { settingsLeftover: true as const } : {}),
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

/** The installed add-ons, with the health issue codes EKS reports on each (the bake's baseline). */
async function readAddons(
  eks: EKSClient,
  clusterName: string,
): Promise<Array<{ name: string; version: string; issueCodes: string[] }>> {
  const names: string[] = [];
  for await (const page of paginateListAddons({ client: eks }, { clusterName }))
    names.push(...(page.addons ?? []));
  return Promise.all(
    names.map(async (addonName) => {
      const { addon } = await eks.send(new DescribeAddonCommand({ clusterName, addonName }));
      const issueCodes = (addon?.health?.issues ?? []).map((issue) => issue.code ?? 'issue');
      return { name: addonName, version: addon?.addonVersion ?? 'unknown', issueCodes };
    }),
  );
}

/** Per cluster version on the way, each installed add-on's compatible versions and default. */
async function readAddonCatalogs(
  eks: EKSClient,
  addonNames: string[],
  hopVersions: string[],
): Promise<ClusterFacts['addonCatalogs']> {
  const catalogs: ClusterFacts['addonCatalogs'] = new Map();
  for (const kubernetesVersion of hopVersions) {
    const byAddon = new Map<string, AddonCatalog>();
    for (const addonName of addonNames) {
      const catalog = await readAddonCatalog(eks, addonName, kubernetesVersion);
      if (catalog) byAddon.set(addonName, catalog);
    }
    catalogs.set(kubernetesVersion, byAddon);
  }
  return catalogs;
}

async function readInsights(
  eks: EKSClient,
  clusterName: string,
  hopVersions: string[],
): Promise<PlanInsight[]> {
  if (hopVersions.length === 0) return [];
  const insights: PlanInsight[] = [];
  const filter = { categories: ['UPGRADE_READINESS' as const], kubernetesVersions: hopVersions };
  for await (const page of paginateListInsights({ client: eks }, { clusterName, filter })) {
    for (const insight of page.insights ?? []) {
      insights.push({
        id: insight.id ?? 'unknown',
        name: insight.name ?? 'unnamed insight',
        kubernetesVersion: insight.kubernetesVersion ?? 'unknown',
        status: insight.insightStatus?.status ?? 'UNKNOWN',
        reason: insight.insightStatus?.reason ?? insight.description ?? '',
      });
    }
  }
  return insights;
}

/** The recommended AMI release of the target version for each AMI type in use (public SSM parameters). */
async function readRecommendedReleases(
  ssm: SSMClient,
  versions: { current: MinorVersion; target: MinorVersion },
  nodegroups: PlannedNodegroup[],
  input: UpgradeInput,
): Promise<Map<string, string>> {
  const { current, target } = versions;
  const targetVersion = formatMinor(target);
  const releases = new Map<string, string>();
  // A replaced group ends as its replacement: that AMI type's release of the target.
  const wanted = new Set(
    nodegroups
      .filter((nodegroup) => !nodegroup.customAmi)
      .map(
        (nodegroup) =>
          `${formatMinor(nodegroupEndVersion(nodegroup, versions, input))}/${nodegroup.replacement?.amiType ?? nodegroup.amiType}`,
      ),
  );
  for (const key of wanted) {
    const [version = targetVersion, amiType = ''] = key.split('/');
    const release = await recommendedRelease(ssm, version, amiType);
    if (release) {
      releases.set(key, release);
      continue;
    }
    // A held-back group's own minor without a published AMI is simply not refreshed.
    if (release === undefined || version !== targetVersion) continue;
    // No AMI of this type for the target (AL2 ends at 1.32): EKS would refuse these groups' update.
    const names = nodegroups.filter((nodegroup) => nodegroup.amiType === amiType).map((ng) => ng.name);
    const highest = await highestPublishedVersion(ssm, amiType, current, target);
    const migrate = isAl2(amiType)
      ? ` Or let this run replace ${names.length > 1 ? 'them' : 'it'}: add "replaceAl2": { "amiType": "${replacementAmiTypeOf(amiType) ?? 'AL2023_x86_64_STANDARD'}" } to the input (a new group with the same configuration is created, then the old one deleted; the dry run shows it).`
      : '';
    throw new UnsupportedTargetError(
      `Node group${names.length > 1 ? 's' : ''} ${names.join(', ')} (${amiType}) cannot go past Kubernetes ${highest ?? formatMinor(current)}: EKS publishes no ${amiType} AMI for ${targetVersion}, and a node group's AMI type cannot change in place. Replace ${names.length > 1 ? 'them' : 'it'} with a node group of another AMI type (AL2023 or Bottlerocket), or choose target ${highest ?? formatMinor(current)} or lower.${migrate} Nothing was changed.`,
    );
  }
  return releases;
}

/** The recommended release, null when AWS publishes none for this version, undefined for an AMI type SSM does not cover. */
async function recommendedRelease(
  ssm: SSMClient,
  kubernetesVersion: string,
  amiType: string,
): Promise<string | null | undefined> {
  const name = recommendedReleaseParameter(kubernetesVersion, amiType);
  if (!name) return undefined;
  try {
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: name }));
    return Parameter?.Value ?? null;
  } catch (error) {
    if (!isAwsError(error, 'ParameterNotFound')) throw error;
    return null;
  }
}

/** The newest version between current and target for which AWS publishes an AMI of this type. */
async function highestPublishedVersion(
  ssm: SSMClient,
  amiType: string,
  current: MinorVersion,
  target: MinorVersion,
): Promise<string | undefined> {
  for (const hop of controlPlaneHops(current, target).reverse().slice(1)) {
    if (await recommendedRelease(ssm, formatMinor(hop), amiType)) return formatMinor(hop);
  }
  return undefined;
}

/**
 * A node group the input leaves out still runs kubelets the control plane must stay within the skew
 * rule of: refuse a target that would break it at some hop, before anything moves.
 * @throws UnsupportedTargetError naming the group and the highest target it allows.
 */
function ensureUnselectedNodegroupsKeepUp(
  all: PlannedNodegroup[],
  input: UpgradeInput,
  current: MinorVersion,
  target: MinorVersion,
): void {
  if (!input.nodegroups) return;
  const selected = new Set(input.nodegroups);
  const hops = controlPlaneHops(current, target);
  const blocking = all.flatMap((nodegroup) => {
    const kubelet = parseMinor(nodegroup.currentVersion);
    const breaking = kubelet ? hops.findIndex((hop) => !skewAllows(hop, kubelet)) : -1;
    if (selected.has(nodegroup.name) || breaking < 0) return [];
    return [{ nodegroup, highest: breaking === 0 ? current : (hops[breaking - 1] ?? current) }];
  });
  if (blocking.length === 0) return;
  const highest = formatMinor(blocking.map((entry) => entry.highest).sort(compareMinor)[0] ?? current);
  const named = blocking.map(({ nodegroup }) => `${nodegroup.name} (${nodegroup.currentVersion})`);
  throw new UnsupportedTargetError(
    `Node group${named.length > 1 ? 's' : ''} ${named.join(', ')} ${named.length > 1 ? 'are' : 'is'} not in "nodegroups" and would fall outside the version skew rule on the way to ${formatMinor(target)}: with ${named.length > 1 ? 'them' : 'it'} left out the highest target is ${highest}. Add ${named.length > 1 ? 'them' : 'it'} to "nodegroups", or choose target ${highest} or lower. Nothing was changed.`,
  );
}

/**
 * A pinned release must exist for every AMI type it applies to, or EKS would refuse the last roll
 * after the control plane has moved: ask SSM for the release's image before anything changes.
 * @throws InvalidInputError naming the AMI type and its node groups.
 */
async function ensurePinnedReleasePublished(
  ssm: SSMClient,
  input: UpgradeInput,
  versions: { current: MinorVersion; target: MinorVersion },
  nodegroups: PlannedNodegroup[],
): Promise<void> {
  const { releaseVersion } = input;
  if (!releaseVersion) return;
  const targetText = formatMinor(versions.target);
  const pinned = nodegroups.filter(
    (nodegroup) =>
      !nodegroup.customAmi && formatMinor(nodegroupEndVersion(nodegroup, versions, input)) === targetText,
  );
  for (const amiType of new Set(pinned.map((nodegroup) => nodegroup.amiType))) {
    const name = releaseImageParameter(targetText, amiType, releaseVersion);
    if (!name) continue;
    try {
      await ssm.send(new GetParameterCommand({ Name: name }));
    } catch (error) {
      if (!isAwsError(error, 'ParameterNotFound')) throw error;
      const names = pinned.filter((nodegroup) => nodegroup.amiType === amiType).map((ng) => ng.name);
      throw new InvalidInputError(
        `releaseVersion ${releaseVersion} is not a published ${amiType} release of Kubernetes ${targetText} (node group${names.length > 1 ? 's' : ''} ${names.join(', ')}); pick one AWS published for that AMI type, or leave releaseVersion out for the recommended one. Nothing was changed.`,
        { cause: error },
      );
    }
  }
}

/** EKS node group names: 1-63 characters, a letter or digit first, then letters, digits, "-" and "_". */
const nodegroupNamePattern = /^[0-9A-Za-z][A-Za-z0-9_-]{0,62}$/;

/**
 * With replaceAl2: each selected AL2 group that EKS has no AMI for at the end (AL2 ends at 1.32) is
 * replaced before the first hop past the last version with an AL2 AMI, as the control plane stands
 * there. Refused before any change when a replacement could not be made as asked.
 * @throws InvalidInputError (an AMI type of another architecture, a name EKS refuses);
 *   ReplacementRefusedError (the name is another group's, the node role may not be passed).
 */
async function planAl2Replacements(
  deps: Pick<PlanUpgradeDeps, 'ssm' | 'ec2' | 'replacementNodeRoles'>,
  input: UpgradeInput,
  replaceAl2: NonNullable<UpgradeInput['replaceAl2']>,
  versions: { current: MinorVersion; target: MinorVersion },
  nodegroups: PlannedNodegroup[],
  described: Map<string, Nodegroup>,
  notes: string[],
): Promise<void> {
  const { current, target } = versions;
  const targetText = formatMinor(target);
  const candidates = nodegroups.filter(
    (nodegroup) =>
      isAl2(nodegroup.amiType) && formatMinor(nodegroupEndVersion(nodegroup, versions, input)) === targetText,
  );
  const lastAl2Version = new Map<string, string | null>();
  for (const amiType of new Set(candidates.map((nodegroup) => nodegroup.amiType))) {
    const published = await recommendedRelease(deps.ssm, targetText, amiType);
    lastAl2Version.set(
      amiType,
      published
        ? null
        : ((await highestPublishedVersion(deps.ssm, amiType, current, target)) ?? formatMinor(current)),
    );
  }
  const blocked = candidates.filter((nodegroup) => lastAl2Version.get(nodegroup.amiType));
  if (blocked.length === 0) {
    notes.push(
      `replaceAl2 has nothing to do: no AL2 node group must go past the last version with an AL2 AMI on the way to ${targetText}.`,
    );
    return;
  }
  for (const nodegroup of blocked) {
    const amiType = replacementAmiTypeOf(
      nodegroup.amiType,
      replaceAl2.amiType,
      described.get(nodegroup.name)?.instanceTypes ?? [],
    );
    if (!amiType) {
      throw new InvalidInputError(
        `replaceAl2.amiType ${replaceAl2.amiType} boots on another architecture than node group ${nodegroup.name} (${nodegroup.amiType}): its instance types would not run it. Leave amiType out for each group's AL2023 counterpart. Nothing was changed.`,
      );
    }
    const pattern =
      replaceAl2.namePattern ?? `{name}-${amiType.startsWith('BOTTLEROCKET') ? 'bottlerocket' : 'al2023'}`;
    const name = replacementName(pattern, nodegroup.name);
    if (!nodegroupNamePattern.test(name)) {
      throw new InvalidInputError(
        `The replacement of node group ${nodegroup.name} would be named ${name}, which EKS refuses (1-63 letters, digits, "-" or "_"); give a shorter replaceAl2.namePattern. Nothing was changed.`,
      );
    }
    const existing = described.get(name);
    if (existing && existing.tags?.[replacesTag] !== nodegroup.name) {
      throw new ReplacementRefusedError(
        `Node group ${name}, the name of ${nodegroup.name}'s replacement, is another group of the cluster (it has no ${replacesTag}=${nodegroup.name} tag); give replaceAl2.namePattern another name. Nothing was changed.`,
      );
    }
    const nodeRole = described.get(nodegroup.name)?.nodeRole ?? '';
    // In another account the assumed role passes the node role, under that account's policies.
    const passable = deps.replacementNodeRoles;
    if (!input.roleArn && passable && !passable.includes(nodeRole)) {
      throw new ReplacementRefusedError(
        `Node group ${nodegroup.name}'s replacement needs its node role ${nodeRole || '(none)'} passed to EKS, and this stack may pass only the roles in its NodeRoleArns parameter (${passable.join(', ') || 'none'}); deploy it with that role listed. Nothing was changed.`,
      );
    }
    const launchTemplateVersion = await templateForReplacement(
      deps.ec2,
      nodegroup.name,
      described.get(nodegroup.name),
      amiType,
      replaceAl2.launchTemplateVersions?.[nodegroup.name],
    );
    // EKS takes at most 50 tags on a resource; the replacement adds one to the old group's own.
    const ownTags = Object.keys(described.get(nodegroup.name)?.tags ?? {}).filter(
      (key) => !/^aws:/i.test(key),
    );
    if (ownTags.length >= 50) {
      throw new ReplacementRefusedError(
        `Node group ${nodegroup.name} has ${ownTags.length} tags; its replacement would need one more (${replacesTag}) and EKS takes at most 50. Remove one, then run again. Nothing was changed.`,
      );
    }
    const stack = described.get(nodegroup.name)?.tags?.['aws:cloudformation:stack-name'];
    if (stack)
      notes.push(
        `Node group ${nodegroup.name} belongs to CloudFormation stack ${stack} (eksctl or your own): its replacement ${name} is made outside the stack, which still describes ${nodegroup.name}; update the stack's definition after the run, or its next update may try to bring ${nodegroup.name} back.`,
      );
    nodegroup.replacement = {
      name,
      amiType,
      ...(launchTemplateVersion ? { launchTemplateVersion } : {}),
      atVersion: lastAl2Version.get(nodegroup.amiType) ?? formatMinor(current),
      exists: existing !== undefined,
    };
  }
}

/** What only AL2 has: user data that uses it would fail on AL2023 (EKS user guide, "Upgrade from AL2 to AL2023"). */
const al2OnlyUserData = ['/etc/eks/bootstrap.sh', 'amazon-linux-extras'];

/**
 * A customer launch template goes with the replacement: the group's version, or the one
 * replaceAl2.launchTemplateVersions names. EKS adds its own bootstrap to it (MIME multi-part on
 * AL2023, nodeadm reads its NodeConfig and runs the shell parts); user data that calls AL2's
 * bootstrap.sh or tools would fail there, Bottlerocket takes TOML settings only, and compressed user
 * data cannot be read to tell: refuse those before any change.
 * @returns the launch template version the replacement takes, or undefined for none.
 * @throws ReplacementRefusedError naming the template version and what to do.
 */
async function templateForReplacement(
  ec2: EC2Client,
  nodegroupName: string,
  nodegroup: Nodegroup | undefined,
  amiType: string,
  named: string | undefined,
): Promise<string | undefined> {
  const template = nodegroup?.launchTemplate;
  if (!template?.version || !(template.id || template.name)) return undefined;
  const version = named ?? template.version;
  const which = `Node group ${nodegroupName}'s launch template ${template.name ?? template.id} version ${version}`;
  let found: DescribeLaunchTemplateVersionsCommandOutput;
  try {
    found = await ec2.send(
      new DescribeLaunchTemplateVersionsCommand({
        ...(template.id ? { LaunchTemplateId: template.id } : { LaunchTemplateName: template.name }),
        Versions: [version],
      }),
    );
  } catch (error) {
    if (!isAwsError(error, 'InvalidLaunchTemplateId.VersionNotFound')) throw error;
    throw new ReplacementRefusedError(
      `${which} does not exist; name one that does in replaceAl2.launchTemplateVersions. Nothing was changed.`,
      { cause: error },
    );
  }
  const userData = found.LaunchTemplateVersions?.[0]?.LaunchTemplateData?.UserData;
  if (!userData) return version;
  const bytes = Buffer.from(userData, 'base64');
  const text = bytes.toString('utf8');
  const compressed = bytes[0] === 0x1f && bytes[1] === 0x8b;
  const problem = compressed
    ? 'compressed user data, which the plan cannot read to check'
    : amiType.startsWith('BOTTLEROCKET')
      ? /^#!|MIME-Version|text\/x-shellscript/m.test(text)
        ? 'shell or MIME user data; Bottlerocket takes TOML settings only'
        : undefined
      : al2OnlyUserData.find((marker) => text.includes(marker))
        ? `user data that calls ${al2OnlyUserData.filter((marker) => text.includes(marker)).join(' and ')}, which ${amiType} does not have (it bootstraps with nodeadm)`
        : undefined;
  if (!problem) return version;
  throw new ReplacementRefusedError(
    `${which} has ${problem}, so a replacement taking it would not join the cluster. Make a launch template version whose user data suits ${amiType} and name it in "replaceAl2": {"launchTemplateVersions": {"${nodegroupName}": "<version>"}} (the old group keeps its own), or replace the group by hand. Nothing was changed.`,
  );
}
