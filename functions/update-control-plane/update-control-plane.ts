import {
  DescribeClusterCommand,
  DescribeInsightsRefreshCommand,
  type EKSClient,
  paginateListInsights,
  StartInsightsRefreshCommand,
  UpdateClusterVersionCommand,
} from '@aws-sdk/client-eks';
import { ensureFitsBeforeDeadline } from '../shared/deadline.ts';
import { type StepBase, skippedStep, startOrAdopt } from '../shared/eks-updates.ts';
import {
  InsightsBlockUpgradeError,
  InsightsRefreshPendingError,
  isAwsError,
  RollbackRefusedError,
  UnexpectedResponseError,
  UnmanagedSkewError,
} from '../shared/errors.ts';
import { kubeletSkewInsight, skewInsightNodes } from '../shared/kubelet-skew.ts';
import { controlPlaneExpectedSeconds } from '../shared/polling.ts';
import { roleOf } from '../shared/role-arn.ts';
import { updateRequestToken } from '../shared/tokens.ts';
import type { UpdateProgress } from '../shared/types.ts';
import { compareMinor, parseMinor } from '../shared/versions.ts';

export interface UpdateControlPlaneEvent {
  clusterName: string;
  targetVersion: string;
  executionName: string;
  /** Upgrade even when upgrade-readiness insights report errors (EKS's `force`). */
  acceptInsightErrors: boolean;
  /** No hop starts that cannot end before this time; null for none. */
  deadline: string | null;
  /** $$.Execution.RedriveCount: a redriven execution must not get its failed update back. */
  redriveCount?: number;
  /** From Refresh Insights: the gate reads only insights a refresh started at or after this computed. */
  insightsFreshAfter?: string;
  /** A failed gate's rollback: back from `rollback.from` to targetVersion, the previous minor (EKS-FACTS 7.1). */
  rollback?: { from: string };
  /** A cluster in another account: the role its calls are made as; null for this account. */
  roleArn?: string | null;
  /** The plan's hop: whether the input lets nodes outside managed node groups fall behind. */
  hop?: { acceptUnmanagedSkew?: boolean };
}

export interface UpdateControlPlaneDeps {
  eks: EKSClient;
  now: () => Date;
}

/**
 * Starts the control plane's move to the next minor, or follows one already under way. Before it,
 * reads the upgrade-readiness insights for that version: errors stop the run unless accepted.
 * @throws InsightsBlockUpgradeError; UpdateInProgressError when a different update holds the cluster (retried).
 */
export async function updateControlPlane(
  event: UpdateControlPlaneEvent,
  { eks, now }: UpdateControlPlaneDeps,
): Promise<UpdateProgress> {
  const { clusterName, targetVersion } = event;
  const base = {
    kind: 'controlPlane' as const,
    clusterName,
    target: targetVersion,
    expectedSeconds: controlPlaneExpectedSeconds,
    ...roleOf(event),
  };
  const { cluster } = await eks.send(new DescribeClusterCommand({ name: clusterName }));
  const current = parseMinor(cluster?.version ?? '');
  const wanted = parseMinor(targetVersion);
  if (!current || !wanted)
    throw new UnexpectedResponseError(`Cluster ${clusterName} reports no usable version.`);
  if (event.rollback) return rollBack(event, cluster?.version ?? '', eks, { ...base, rollback: true });
  // On (or, after a rerun, past) this hop already: nothing to do.
  if (compareMinor(current, wanted) >= 0) {
    return skippedStep(base, `already on ${cluster?.version}`);
  }

  if (event.insightsFreshAfter) await ensureFreshInsights(eks, clusterName, event.insightsFreshAfter);
  const errors = await insightErrors(eks, clusterName, targetVersion);
  // Kubelet skew is its own check: nodes the plan rolled are not in it, the rest is acceptUnmanagedSkew's.
  const skewError = errors.find((error) => error.name === kubeletSkewInsight);
  const blocking = errors.filter((error) => error.name !== kubeletSkewInsight).map((error) => error.text);
  if (blocking.length > 0 && !event.acceptInsightErrors) {
    throw new InsightsBlockUpgradeError(
      `Upgrade insights for ${targetVersion} on cluster ${clusterName} report errors: ${blocking.join('; ')}. Fix them, or run with "acceptInsightErrors": true. The cluster stays on ${cluster?.version}.`,
    );
  }

  // WARNING: nodes lag within the rule. Only an ERROR finding says the hop would put some outside it.
  if (skewError && !event.hop?.acceptUnmanagedSkew)
    await refuseNodesLeftBehind(eks, event, skewError, cluster?.version ?? '');

  ensureFitsBeforeDeadline(
    `Control plane hop to ${targetVersion}`,
    controlPlaneExpectedSeconds,
    event.deadline,
    now(),
  );
  // EKS refuses a version update that insights block unless forced; only the input may accept that.
  return sendVersionUpdate(eks, event, base, blocking.length > 0 || skewError !== undefined);
}

/**
 * UpdateClusterVersion to the event's target, or the running update of that very move. A rollback
 * (to the previous minor) has idempotency tokens of its own: it must never get the hop's update back.
 */
function sendVersionUpdate(
  eks: EKSClient,
  event: UpdateControlPlaneEvent,
  base: StepBase,
  force: boolean,
): Promise<UpdateProgress> {
  const { clusterName, targetVersion } = event;
  return startOrAdopt(eks, base, targetVersion, () =>
    eks.send(
      new UpdateClusterVersionCommand({
        name: clusterName,
        version: targetVersion,
        clientRequestToken: updateRequestToken(
          event.executionName,
          `cluster/${clusterName}${event.rollback ? '/rollback' : ''}`,
          targetVersion,
          event.redriveCount,
        ),
        ...(force ? { force: true } : {}),
      }),
    ),
  );
}

/**
 * Sends the rollback: UpdateClusterVersion to the previous minor, which EKS answers with a
 * VersionRollback update. No insights gate and no deadline: taking a failed hop back is the safe way.
 * Skipped when the control plane is back already (a retry, or a person did it).
 * @throws RollbackRefusedError when the control plane is neither where the hop left it nor back.
 */
async function rollBack(
  event: UpdateControlPlaneEvent,
  current: string,
  eks: EKSClient,
  base: StepBase,
): Promise<UpdateProgress> {
  const { clusterName, targetVersion } = event;
  if (current === targetVersion) return skippedStep(base, `already back on ${current}`);
  if (current !== event.rollback?.from) {
    throw new RollbackRefusedError(
      `Cluster ${clusterName} is on ${current}, neither ${event.rollback?.from} (where the hop left it) nor ${targetVersion}; it was moved outside this run, so the rollback was not sent.`,
    );
  }
  return sendVersionUpdate(eks, event, base, false);
}

/**
 * Waits (through the state machine's retry) for an insights refresh that started at or after the
 * mark, starting one if the latest is older. A refresh that FAILED, or one EKS refuses to start,
 * leaves the last computed insights, which the gate then reads as EKS left them.
 * @throws InsightsRefreshPendingError while the refresh runs.
 */
async function ensureFreshInsights(eks: EKSClient, clusterName: string, freshAfter: string): Promise<void> {
  const refresh = await latestRefresh(eks, clusterName);
  const fresh = refresh?.startedAt !== undefined && refresh.startedAt.getTime() >= Date.parse(freshAfter);
  if (fresh && refresh?.status !== 'IN_PROGRESS') return;
  if (!fresh && refresh?.status !== 'IN_PROGRESS') {
    try {
      await eks.send(new StartInsightsRefreshCommand({ clusterName }));
    } catch (error) {
      // Refused in the cluster's current state: read the insights as EKS last computed them.
      if (isAwsError(error, 'InvalidRequestException')) return;
      throw error;
    }
  }
  throw new InsightsRefreshPendingError(
    `Insights of cluster ${clusterName} are being refreshed before the hop's gate; checking again shortly.`,
  );
}

async function latestRefresh(eks: EKSClient, clusterName: string) {
  try {
    return await eks.send(new DescribeInsightsRefreshCommand({ clusterName }));
  } catch (error) {
    // No on-demand refresh yet for this cluster.
    if (isAwsError(error, 'ResourceNotFoundException')) return undefined;
    throw error;
  }
}

async function insightErrors(
  eks: EKSClient,
  clusterName: string,
  kubernetesVersion: string,
): Promise<Array<{ id: string; name: string; reason: string; text: string }>> {
  const filter = {
    categories: ['UPGRADE_READINESS' as const],
    kubernetesVersions: [kubernetesVersion],
    statuses: ['ERROR' as const],
  };
  const found: Array<{ id: string; name: string; reason: string; text: string }> = [];
  for await (const page of paginateListInsights({ client: eks }, { clusterName, filter })) {
    for (const insight of page.insights ?? []) {
      const name = insight.name ?? insight.id ?? 'insight';
      const reason = insight.insightStatus?.reason ?? insight.description ?? '';
      found.push({ id: insight.id ?? '', name, reason, text: `${name}: ${reason}` });
    }
  }
  return found;
}

/**
 * Before the hop, after the stage's insights refresh: the plan rolled every managed group the hop
 * needs, so nodes EKS's skew finding still names are outside managed node groups (self-managed,
 * Karpenter, hybrid, Fargate pods), or a finding the plan could not read for a hop beyond the next.
 * @throws UnmanagedSkewError naming them; the control plane stays.
 */
async function refuseNodesLeftBehind(
  eks: EKSClient,
  event: UpdateControlPlaneEvent,
  finding: { id: string; reason: string },
  currentVersion: string,
): Promise<never> {
  const named = await skewInsightNodes(eks, event.clusterName, finding.id);
  const nodes = named.length > 0 ? named.join(', ') : `nodes it does not name (${finding.reason})`;
  throw new UnmanagedSkewError(
    `EKS's Kubelet version skew insight for ${event.targetVersion} on cluster ${event.clusterName} names ${nodes}: they would fall outside the skew rule under a ${event.targetVersion} control plane. Roll them (self-managed, Karpenter, hybrid nodes) or restart them (Fargate pods), or run with "acceptUnmanagedSkew": true to go on without them. The cluster stays on ${currentVersion}.`,
  );
}
