import { type AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  DescribeFargateProfileCommand,
  DescribeInsightCommand,
  type EKSClient,
  type Nodegroup,
  paginateListFargateProfiles,
} from '@aws-sdk/client-eks';
import { UnmanagedSkewError } from '../shared/errors.ts';
import { skewAllows } from '../shared/rotation-plan.ts';
import type { PlanInsight, PlannedNodegroup } from '../shared/types.ts';
import { compareMinor, formatMinor, type MinorVersion, parseMinor } from '../shared/versions.ts';

/** The upgrade insight that sees every node's kubelet, managed or not (EKS-FACTS 7.4). */
export const kubeletSkewInsight = 'Kubelet version skew';

/** A Fargate profile and the namespaces whose pods it runs. */
export interface FargateProfileFacts {
  name: string;
  namespaces: string[];
}

export async function readFargateProfiles(
  eks: EKSClient,
  clusterName: string,
): Promise<FargateProfileFacts[]> {
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
  current: MinorVersion;
  hops: MinorVersion[];
  insights: PlanInsight[];
  /** Every managed node group (those the input leaves out too) and what DescribeNodegroup said. */
  nodegroups: PlannedNodegroup[];
  described: Map<string, Nodegroup>;
}

/**
 * For each hop, the nodes outside managed node groups that the Kubelet version skew insight flags.
 * A managed group behind at that hop is the plan's to roll; its nodes are told apart by their
 * instance ID in the node name (EKS resource-based names), and where names do not show it (IP-based
 * names), by count: more flagged nodes than such groups have means some are outside them.
 */
export async function unmanagedSkew(context: SkewContext): Promise<Behind[]> {
  const found: Behind[] = [];
  for (const hop of context.hops) {
    const insight = context.insights.find(
      (candidate) =>
        candidate.name === kubeletSkewInsight &&
        candidate.kubernetesVersion === formatMinor(hop) &&
        candidate.status !== 'PASSING',
    );
    if (!insight) continue;
    const { insight: detail } = await context.eks.send(
      new DescribeInsightCommand({ clusterName: context.clusterName, id: insight.id }),
    );
    const flagged = (detail?.resources ?? []).flatMap((resource) => {
      const name = /\/nodes\/([^/]+)$/.exec(resource.kubernetesResourceUri ?? '')?.[1];
      return name ? [name] : [];
    });
    const managedBehind = context.nodegroups.filter((nodegroup) => {
      const kubelet = parseMinor(nodegroup.currentVersion);
      return kubelet !== undefined && !skewAllows(hop, kubelet);
    });
    if (managedBehind.length === 0) {
      if (flagged.length > 0) found.push({ hop, nodes: flagged });
      continue;
    }
    const instanceIds = await managedInstanceIds(context, managedBehind);
    const rest = flagged.filter((name) => !instanceIds.some((id) => name.startsWith(`${id}.`)));
    const managedNodes = managedBehind.reduce((sum, nodegroup) => sum + nodegroup.desiredSize, 0);
    const unmatched = Math.max(0, managedNodes - (flagged.length - rest.length));
    const outside = rest.length - unmatched;
    if (outside > 0) found.push({ hop, nodes: rest, ...(unmatched > 0 ? { atLeast: outside } : {}) });
  }
  return found;
}

async function managedInstanceIds(context: SkewContext, nodegroups: PlannedNodegroup[]): Promise<string[]> {
  const names = nodegroups.flatMap(
    (nodegroup) =>
      context.described.get(nodegroup.name)?.resources?.autoScalingGroups?.flatMap((g) => g.name ?? []) ?? [],
  );
  if (names.length === 0) return [];
  const { AutoScalingGroups = [] } = await context.autoScaling.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: names }),
  );
  return AutoScalingGroups.flatMap((group) => group.Instances ?? []).flatMap((i) => i.InstanceId ?? []);
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
export function fargateNotes(profiles: FargateProfileFacts[], target: string, moves: boolean): string[] {
  if (profiles.length === 0 || !moves) return [];
  const named = profiles.map(
    (profile) => `${profile.name} (${profile.namespaces.join(', ') || 'no namespace'})`,
  );
  return [
    `Left to you: Fargate pods of profile${profiles.length > 1 ? 's' : ''} ${named.join(', ')} keep the kubelet they started with; restart them after the upgrade (kubectl rollout restart) to run on ${target}.`,
  ];
}
