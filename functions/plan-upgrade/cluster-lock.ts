import { DescribeExecutionCommand, paginateListExecutions, type SFNClient } from '@aws-sdk/client-sfn';
import { ClusterBusyError } from '../shared/errors.ts';
import { accountOf } from '../shared/role-arn.ts';

/** Where the running upgrades are listed: this stack's upgrade-cluster state machine. */
export interface UpgradeExecutions {
  sfn: SFNClient;
  stateMachineArn: string;
}

/** This execution, as the state machine names it and when it started ($$.Execution.StartTime). */
export interface ThisExecution {
  name: string;
  startTime: string;
  /** The role the cluster is reached as (another account), or null: a cluster is its name in its account. */
  roleArn: string | null;
}

/** Whether an execution's input is for the same cluster: the same name in the same account. */
function sameCluster(
  input: { clusterName?: unknown; roleArn?: unknown },
  clusterName: string,
  self: ThisExecution,
): boolean {
  return input.clusterName === clusterName && accountOf(input.roleArn) === accountOf(self.roleArn);
}

/**
 * One upgrade per cluster at a time, whatever started it (a window, an AMI release, a person): an
 * execution for a cluster another running execution was started for earlier refuses before any
 * change. Two started in the same instant are told apart by name, so exactly one goes on.
 * @throws ClusterBusyError naming the execution that holds the cluster.
 */
export async function ensureNoEarlierUpgrade(
  clusterName: string,
  self: ThisExecution,
  { sfn, stateMachineArn }: UpgradeExecutions,
): Promise<void> {
  const started = Date.parse(self.startTime);
  const pages = paginateListExecutions({ client: sfn }, { stateMachineArn, statusFilter: 'RUNNING' });
  for await (const page of pages) {
    for (const running of page.executions ?? []) {
      if (!running.executionArn || running.name === self.name) continue;
      const other = running.startDate?.getTime() ?? 0;
      const earlier = other < started || (other === started && (running.name ?? '') < self.name);
      if (!earlier) continue;
      const { input } = await sfn.send(new DescribeExecutionCommand({ executionArn: running.executionArn }));
      const held = parsed(input);
      // A dry run changes nothing: it holds no cluster.
      if (!sameCluster(held, clusterName, self) || held.dryRun === true) continue;
      throw new ClusterBusyError(
        `Cluster ${clusterName} is being upgraded by execution ${running.name}, started ${running.startDate?.toISOString() ?? 'earlier'}; two upgrades of one cluster never run at once, so this run started nothing. The next window or release runs again; or start it once ${running.name} has ended.`,
      );
    }
  }
}

function parsed(input: string | undefined): { clusterName?: unknown; dryRun?: unknown; roleArn?: unknown } {
  try {
    const value: unknown = JSON.parse(input ?? '{}');
    return typeof value === 'object' && value !== null ? value : {};
  } catch {
    return {};
  }
}

/** How a run ends when a bake's gate failed: the next run must not carry on as if it had passed. */
const gateEnds: ReadonlySet<string> = new Set([
  'HealthGateFailedError',
  'UpgradeRolledBackError',
  'RollbackRefusedError',
  'RollbackIncompleteError',
]);

/** Runs refused before any change: they say nothing about how the cluster's last real run ended. */
const refusedBeforeAnyChange: ReadonlySet<string> = new Set([
  'EarlierGateFailureError',
  'AlarmsAlreadyFiringError',
  'ClusterBusyError',
  'InvalidInputError',
  'ClusterNotAllowedError',
  'ClusterNotFoundError',
  'ClusterNotReadyError',
  'DowngradeRefusedError',
  'UnsupportedTargetError',
  'InsightsBlockUpgradeError',
  'NodegroupNotFoundError',
  'ReplacementRefusedError',
]);

/**
 * UnmanagedSkewError ends a run either at its plan ("Nothing was changed.") or before a later hop,
 * after earlier ones moved the cluster: only the first says nothing about the cluster's last run.
 */
function wasRefusedBeforeAnyChange(error: string, cause: string): boolean {
  if (error === 'UnmanagedSkewError') return cause.includes('Nothing was changed.');
  return refusedBeforeAnyChange.has(error);
}

/** Recent executions looked at for the cluster's last run (listing is cheap; only candidates are described). */
const recentExecutions = 1000;

/**
 * The start every execution name the product gives this cluster shares: executionNameFor keeps the
 * first characters of a long name and hashes the rest, so the first twenty always stand.
 */
function namePrefix(clusterName: string): string {
  return clusterName.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 20);
}

/**
 * The cluster's last finished upgrade, when it ended at a failed gate: a new run would otherwise roll
 * the node groups onto the version the gate found wanting, with no bake (the hop is done), or take
 * the same hop and roll it back again every window. Only executions named after the cluster (as the
 * fleet, the AMI-release trigger and the CLI name them) are looked at.
 * @returns the sentence saying so, or undefined when the last run did not end at a gate.
 */
export async function lastRunStoppedAtGate(
  clusterName: string,
  self: ThisExecution,
  { sfn, stateMachineArn }: UpgradeExecutions,
): Promise<string | undefined> {
  let seen = 0;
  for await (const page of paginateListExecutions({ client: sfn, pageSize: 100 }, { stateMachineArn })) {
    for (const execution of page.executions ?? []) {
      seen += 1;
      if (seen > recentExecutions) return undefined;
      const { name = '', executionArn, status } = execution;
      if (
        !executionArn ||
        name === self.name ||
        status === 'RUNNING' ||
        !name.startsWith(namePrefix(clusterName))
      )
        continue;
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      const input = parsed(described.input);
      if (!sameCluster(input, clusterName, self) || input.dryRun === true) continue;
      // The newest finished run of this cluster that got past its plan decides.
      if (status === 'FAILED' && wasRefusedBeforeAnyChange(described.error ?? '', described.cause ?? ''))
        continue;
      if (status !== 'FAILED' || !gateEnds.has(described.error ?? '')) return undefined;
      return `The last upgrade of cluster ${clusterName} (execution ${name}) ended ${described.error}: ${(described.cause ?? '').slice(0, 400)}`;
    }
  }
  return undefined;
}
