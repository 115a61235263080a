import { DescribeInsightCommand, type EKSClient, paginateListInsights } from '@aws-sdk/client-eks';

/** The upgrade insight that sees every node's kubelet, managed or not (EKS-FACTS 7.4). */
export const kubeletSkewInsight = 'Kubelet version skew';

/** What EKS's skew finding for one version says: nothing (no insight), or its status and the nodes it names. */
export interface SkewFinding {
  status: string;
  reason: string;
  /** Node names of the resources in ERROR: outside the rule once the hop is made. */
  nodes: string[];
}

/**
 * The nodes a skew insight says the hop would put outside the rule: its resources in ERROR
 * (DescribeInsight; `/api/v1/nodes/<name>`). A WARNING node lags within the rule; it is not one.
 */
export async function skewInsightNodes(eks: EKSClient, clusterName: string, id: string): Promise<string[]> {
  const { insight } = await eks.send(new DescribeInsightCommand({ clusterName, id }));
  return (insight?.resources ?? []).flatMap((resource) => {
    if (resource.insightStatus?.status !== 'ERROR') return [];
    const name = /\/nodes\/([^/]+)$/.exec(resource.kubernetesResourceUri ?? '')?.[1];
    // A resource EKS names some other way is still a finding: kept under what EKS gave.
    return [name ?? resource.kubernetesResourceUri ?? resource.arn ?? 'an unnamed resource'];
  });
}

/** The skew finding for one version, as EKS last computed it; undefined when EKS lists none for it. */
export async function skewFinding(
  eks: EKSClient,
  clusterName: string,
  kubernetesVersion: string,
): Promise<SkewFinding | undefined> {
  const filter = { categories: ['UPGRADE_READINESS' as const], kubernetesVersions: [kubernetesVersion] };
  for await (const page of paginateListInsights({ client: eks }, { clusterName, filter })) {
    const insight = page.insights?.find((candidate) => candidate.name === kubeletSkewInsight);
    if (!insight?.id) continue;
    const status = insight.insightStatus?.status ?? 'UNKNOWN';
    const reason = insight.insightStatus?.reason ?? '';
    return {
      status,
      reason,
      nodes: status === 'ERROR' ? await skewInsightNodes(eks, clusterName, insight.id) : [],
    };
  }
  return undefined;
}
