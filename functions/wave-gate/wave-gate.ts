import { DescribeExecutionCommand, paginateListExecutions, type SFNClient } from '@aws-sdk/client-sfn';

export interface WaveGateEvent {
  clusterName: string;
  wave: string;
  /** Every execution name of the wave, this cluster's among them. */
  executionNames: string[];
  /** Failed or rolled-back clusters the wave tolerates; null for no limit. */
  maxFailures: number | null;
}

export interface WaveGateDeps {
  sfn: SFNClient;
  /** The upgrade-cluster state machine the wave's executions belong to. */
  stateMachineArn: string;
}

export interface WaveGateDecision {
  start: boolean;
  /** Why not, naming the clusters that failed. */
  reason?: string;
}

/** How an execution ends badly; RUNNING and SUCCEEDED ones are not looked at. */
const badEnds = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;

/**
 * Before a cluster of a wave starts: how its siblings ended so far, as Step Functions tells it.
 * Once more of them failed (or were rolled back) than the wave tolerates, no further cluster of
 * the wave starts; the ones running finish. Refused as busy is not a failure.
 */
export async function waveGate(event: WaveGateEvent, deps: WaveGateDeps): Promise<WaveGateDecision> {
  if (event.maxFailures === null) return { start: true };
  const wave = new Set(event.executionNames);
  const failed: string[] = [];
  for (const statusFilter of badEnds) {
    for await (const page of paginateListExecutions(
      { client: deps.sfn, pageSize: 1000 },
      { stateMachineArn: deps.stateMachineArn, statusFilter },
    )) {
      for (const execution of page.executions ?? []) {
        if (!execution.name || !wave.has(execution.name) || !execution.executionArn) continue;
        const { error } = await deps.sfn.send(
          new DescribeExecutionCommand({ executionArn: execution.executionArn }),
        );
        if (error !== 'ClusterBusyError') failed.push(`${execution.name} (${error ?? statusFilter})`);
      }
    }
  }
  if (failed.length <= event.maxFailures) return { start: true };
  return {
    start: false,
    reason: `Not started: wave ${event.wave} tolerates ${event.maxFailures} failed cluster${event.maxFailures === 1 ? '' : 's'}, and ${failed.join(', ')} failed or rolled back.`,
  };
}
