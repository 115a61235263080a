import { type AutoScalingClient, paginateDescribeAutoScalingGroups } from '@aws-sdk/client-auto-scaling';
import {
  DescribeFargateProfileCommand,
  type EKSClient,
  type Nodegroup,
  paginateListFargateProfiles,
} from '@aws-sdk/client-eks';
import { UnmanagedSkewError } from '../shared/errors.ts';
import { kubeletSkewInsight, skewInsightNodes } from '../shared/kubelet-skew.ts';
import { skewAllows } from '../shared/rotation-plan.ts';
import type { PlanInsight, PlannedNodegroup } from '../shared/types.ts';
import { compareMinor, formatMinor, type MinorVersion, parseMinor } from '../shared/versions.ts';

/** A Fargate profile and the namespaces whose pods it runs. */
export interface FargateProfileFacts {
  name: string;
  namespaces: string[];
}

async function readFargateProfiles(eks: EKSClient, clusterName: string): Promise<FargateProfileFacts[]> {
  const names: string[] = [];
  for await (const page of paginateListFargateProfiles({ client: eks }, { clusterName })) {
    names.push(...(page.fargateProfileNames ?? []));
  }
  return Promise.all(
    names.map(async (fargateProfileName) => {
      const { fargateProfile } = await eks.send(
        new DescribeFargateProfileCommand({ clusterName, fargateProfileName }),
      );
      const namespaces = (fargateProfile?.selectors ?? []).flatMap((selector) => selector.namespace ?? []);
      return { name: fargateProfileName, namespaces: [...new Set(namespaces)] };
    }),
  );
}

/** Nodes outside managed node groups the skew insight of one hop flags. */
interface Behind {
  hop: MinorVersion;
  nodes: string[];
  /** When node names could not all be told from managed ones: how many at least are outside. */
  atLeast?: number;
}

export interface SkewContext {
  eks: EKSClient;
  autoScaling: AutoScalingClient;
  clusterName: string;
  hops: MinorVersion[];
  insights: PlanInsight[];
  /** Every managed node group (those the input leaves out too) and what DescribeNodegroup said. */
  nodegroups: PlannedNodegroup[];
  described: Map<string, Nodegroup>;
}

/**
 * For each hop, the nodes outside managed node groups that the Kubelet version skew insight flags,
 * and the hops EKS computed no such insight for (it computes them for the next versions only; the
 * stage checks those before its hop, after refreshing the insights). Managed groups' nodes are told
 * apart by their instance ID in the node name (EKS resource-based names); where names do not show
 * it (IP-based names), by count: more flagged nodes than the lagging managed groups have means some
 * are outside them. Only ERROR findings count (a WARNING node lags within the rule); one that names no
 * node counts as one outside, unread.
 */
export async function unmanagedSkew(
  context: SkewContext,
): Promise<{ behind: Behind[]; unchecked: MinorVersion[] }> {
  const behind: Behind[] = [];
  const unchecked: MinorVersion[] = [];
  let instanceIds: string[] | undefined;
  for (const hop of context.hops) {
    const insight = context.insights.find(
      (candidate) =>
        candidate.name === kubeletSkewInsight && candidate.kubernetesVersion === formatMinor(hop),
    );
    if (!insight) {
      unchecked.push(hop);
      continue;
    }
    // ERROR: the hop would put nodes outside the rule. WARNING: nodes lag, within it.
    if (insight.status !== 'ERROR') continue;
    const flagged = await skewInsightNodes(context.eks, context.clusterName, insight.id);
    if (flagged.length === 0) {
      behind.push({ hop, nodes: [`nodes the insight does not name (${insight.reason})`] });
      continue;
    }
    instanceIds ??= await managedInstanceIds(context);
    const ids = instanceIds;
    const rest = flagged.filter((name) => !ids.some((id) => name.startsWith(`${id}.`)));
    const managedBehind = context.nodegroups.filter((nodegroup) => {
      const kubelet = parseMinor(nodegroup.currentVersion);
      return kubelet !== undefined && !skewAllows(hop, kubelet);
    });
    const managedNodes = managedBehind.reduce((sum, nodegroup) => sum + nodegroup.desiredSize, 0);
    const unmatched = Math.max(0, managedNodes - (flagged.length - rest.length));
    const outside = rest.length - unmatched;
    if (outside > 0) behind.push({ hop, nodes: rest, ...(unmatched > 0 ? { atLeast: outside } : {}) });
  }
  return { behind, unchecked };
}

/** The instances of every managed node group (their Auto Scaling groups, 50 names a call). */
async function managedInstanceIds(context: SkewContext): Promise<string[]> {
  const names = context.nodegroups.flatMap(
    (nodegroup) =>
      context.described
        .get(nodegroup.name)
        ?.resources?.autoScalingGroups?.flatMap((group) => group.name ?? []) ?? [],
  );
  const ids: string[] = [];
  for (let start = 0; start < names.length; start += 50) {
    const pages = paginateDescribeAutoScalingGroups(
      { client: context.autoScaling },
      { AutoScalingGroupNames: names.slice(start, start + 50) },
    );
    for await (const page of pages) {
      for (const group of page.AutoScalingGroups ?? []) {
        ids.push(...(group.Instances ?? []).flatMap((instance) => instance.InstanceId ?? []));
      }
    }
  }
  return ids;
}

/** How a person moves such nodes: Fargate pods restart, the rest are their owner's roll. */
function howToMove(nodes: string[]): string {
  const fargate = nodes.filter((name) => name.startsWith('fargate-'));
  const others = nodes.filter((name) => !name.startsWith('fargate-'));
  return [
    ...(others.length > 0
      ? [`${others.join(', ')} (self-managed, Karpenter or hybrid nodes: roll them yourself)`]
      : []),
    ...(fargate.length > 0
      ? [`${fargate.join(', ')} (Fargate pods: they take the new version when restarted)`]
      : []),
  ].join('; ');
}

/**
 * Refuses a target that would put nodes outside managed node groups past the skew rule, before any
 * change, unless the input accepts it; then says what is left to the person.
 * @throws UnmanagedSkewError naming the nodes, the hop and the highest target they allow.
 * @returns what the run leaves to a person (empty when nothing is behind).
 */
export function ensureUnmanagedKeepUp(
  behind: Behind[],
  current: MinorVersion,
  target: MinorVersion,
  acceptUnmanagedSkew: boolean,
): string[] {
  const [first] = behind;
  if (!first) return [];
  const lines = behind.map(
    ({ hop, nodes, atLeast }) =>
      `at ${formatMinor(hop)}${atLeast ? ` (at least ${atLeast} of these are not in a managed node group)` : ''}: ${howToMove(nodes)}`,
  );
  if (!acceptUnmanagedSkew) {
    const highest =
      compareMinor(first.hop, current) > 0
        ? formatMinor({ ...first.hop, minor: first.hop.minor - 1 })
        : formatMinor(current);
    throw new UnmanagedSkewError(
      `Nodes outside managed node groups would fall outside the kubelet version skew rule on the way to ${formatMinor(target)} (EKS's Kubelet version skew insight): ${lines.join('; ')}. The highest target they allow is ${highest}. Move them first, choose target ${highest}, or run with "acceptUnmanagedSkew": true to go on with them left behind. Nothing was changed.`,
    );
  }
  return [
    `Left to you: nodes outside managed node groups, behind the kubelet skew rule ${lines.join('; ')}.`,
  ];
}

/** Fargate pods keep the kubelet they started with: restarted, they take the control plane's version. */
function fargateNotes(profiles: FargateProfileFacts[], target: string, moves: boolean): string[] {
  if (profiles.length === 0 || !moves) return [];
  const named = profiles.map(
    (profile) => `${profile.name} (${profile.namespaces.join(', ') || 'no namespace'})`,
  );
  return [
    `Left to you: Fargate pods of profile${profiles.length > 1 ? 's' : ''} ${named.join(', ')} keep the kubelet they started with; restart them after the upgrade (kubectl rollout restart) to run on ${target}.`,
  ];
}

/**
 * The compute the node group API does not show, as the plan sees it: Auto Mode (EKS's own nodes and
 * networking), Fargate profiles, and nodes outside managed node groups that a hop would leave outside
 * the skew rule (refused unless accepted). Adds what a person should know to `notes`.
 * @returns whether the core add-ons are EKS's (Auto Mode and nothing else), and what is left to the user.
 * @throws UnmanagedSkewError before any change (see ensureUnmanagedKeepUp).
 */
export async function planOutsideCompute(
  context: Omit<SkewContext, 'nodegroups'>,
  plan: {
    cluster: { computeConfig?: { enabled?: boolean | undefined } | undefined };
    nodegroups: PlannedNodegroup[];
    input: { acceptUnmanagedSkew: boolean };
    current: MinorVersion;
    target: MinorVersion;
    notes: string[];
  },
): Promise<{ autoMode: boolean; leftToUser: string[] }> {
  const { cluster, nodegroups, input, current, target, notes } = plan;
  const fargateProfiles = await readFargateProfiles(context.eks, context.clusterName);
  // Auto Mode's networking and DNS serve its own nodes only: the add-ons stay the user's while other compute runs.
  const autoModeEnabled = cluster.computeConfig?.enabled === true;
  const autoMode = autoModeEnabled && nodegroups.length === 0 && fargateProfiles.length === 0;
  if (autoMode)
    notes.push(
      "EKS Auto Mode: EKS manages this cluster's nodes and core networking (vpc-cni, coredns, kube-proxy) and moves them after each hop; the plan neither moves nor lists them.",
    );
  else if (autoModeEnabled)
    notes.push(
      'EKS Auto Mode manages its own nodes; the core add-ons still serve the managed node groups and Fargate pods here, so the plan moves them as usual.',
    );
  const { behind, unchecked } = await unmanagedSkew({ ...context, nodegroups });
  if (unchecked.length > 0 && !input.acceptUnmanagedSkew)
    notes.push(
      `EKS lists no Kubelet version skew insight for ${unchecked.map(formatMinor).join(', ')} yet: nodes outside managed node groups are checked for ${unchecked.length > 1 ? 'those hops' : 'that hop'} before ${unchecked.length > 1 ? 'each' : 'it'}, once the stage has refreshed the insights.`,
    );
  return {
    autoMode,
    leftToUser: [
      ...ensureUnmanagedKeepUp(behind, current, target, input.acceptUnmanagedSkew),
      ...fargateNotes(fargateProfiles, formatMinor(target), context.hops.length > 0),
    ],
  };
}
