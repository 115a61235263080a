import { DescribeInsightCommand, type EKSClient } from '@aws-sdk/client-eks';

/** The upgrade insight that sees every node's kubelet, managed or not (EKS-FACTS 7.4). */
export const kubeletSkewInsight = 'Kubelet version skew';

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
