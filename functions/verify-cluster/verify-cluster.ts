import {
  ClusterStatus,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  type EKSClient,
  NodegroupStatus,
} from '@aws-sdk/client-eks';
import { VerificationFailedError } from '../shared/errors.ts';
import type { UpgradePlan } from '../shared/types.ts';

export interface VerifyClusterDeps {
  eks: EKSClient;
}

export interface Verification {
  clusterName: string;
  version: string;
  nodegroups: Array<{ name: string; version: string; releaseVersion: string; status: string }>;
  /** Health issues EKS reports on the cluster or its node groups; they do not fail the run. */
  warnings: string[];
}

/**
 * Checks the cluster ended as planned: control plane and node groups on the target and ACTIVE.
 * @throws VerificationFailedError listing every difference.
 */
export async function verifyCluster(plan: UpgradePlan, { eks }: VerifyClusterDeps): Promise<Verification> {
  const { cluster } = await eks.send(new DescribeClusterCommand({ name: plan.clusterName }));
  const problems: string[] = [];
  const warnings = issuesOf(`cluster ${plan.clusterName}`, cluster?.health?.issues);
  const version = cluster?.version ?? 'unknown';
  if (version !== plan.targetVersion)
    problems.push(`control plane is on ${version}, not ${plan.targetVersion}`);
  if (cluster?.status !== ClusterStatus.ACTIVE)
    problems.push(`cluster is ${cluster?.status ?? 'unknown'}, not ACTIVE`);

  const nodegroups: Verification['nodegroups'] = [];
  for (const planned of plan.nodegroups) {
    const { nodegroup } = await eks.send(
      new DescribeNodegroupCommand({ clusterName: plan.clusterName, nodegroupName: planned.name }),
    );
    const actual = {
      name: planned.name,
      version: nodegroup?.version ?? 'unknown',
      releaseVersion: nodegroup?.releaseVersion ?? 'unknown',
      status: nodegroup?.status ?? 'unknown',
    };
    nodegroups.push(actual);
    warnings.push(...issuesOf(`node group ${planned.name}`, nodegroup?.health?.issues));
    if (actual.status !== NodegroupStatus.ACTIVE)
      problems.push(`node group ${planned.name} is ${actual.status}, not ACTIVE`);
    if (actual.releaseVersion.startsWith('ami-')) {
      warnings.push(
        `node group ${planned.name} runs custom AMI ${actual.releaseVersion}; its version is the launch template's to change`,
      );
    } else if (actual.version !== plan.targetVersion) {
      problems.push(`node group ${planned.name} is on ${actual.version}, not ${plan.targetVersion}`);
    } else if (plan.releaseVersion && actual.releaseVersion !== plan.releaseVersion) {
      problems.push(
        `node group ${planned.name} runs release ${actual.releaseVersion}, not ${plan.releaseVersion}`,
      );
    }
  }

  if (problems.length > 0) {
    throw new VerificationFailedError(
      `Cluster ${plan.clusterName} did not end as planned: ${problems.join('; ')}. Run again to finish the upgrade.`,
    );
  }
  return { clusterName: plan.clusterName, version, nodegroups, warnings };
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
