import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { isAwsError } from '../shared/errors.ts';

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
  /** `arn:...:execution:<stack>-upgrade-cluster`: an execution's ARN is this, a colon and its name. */
  executionArnPrefix: string;
}

export interface WaveGateDecision {
  start: boolean;
  /** Why not, naming the clusters that failed. */
  reason?: string;
}

/**
 * Before a cluster of a wave starts: how its siblings ended so far, as Step Functions tells it.
 * Once more of them failed (or were rolled back) than the wave tolerates, no further cluster of
 * the wave starts; the ones running finish. Refused as busy is not a failure.
 */
export async function waveGate(event: WaveGateEvent, deps: WaveGateDeps): Promise<WaveGateDecision> {
  if (event.maxFailures === null) return { start: true };
  const failed: string[] = [];
  for (const name of event.executionNames) {
    const ended = await endedBadly(deps, `${deps.executionArnPrefix}:${name}`);
    if (ended) failed.push(`${name} (${ended})`);
  }
  if (failed.length <= event.maxFailures) return { start: true };
  return {
    start: false,
    reason: `Not started: wave ${event.wave} tolerates ${event.maxFailures} failed cluster${event.maxFailures === 1 ? '' : 's'}, and ${failed.join(', ')} failed or rolled back.`,
  };
}

/** The error a finished execution ended with, or undefined while it runs, succeeded or never started. */
async function endedBadly(deps: WaveGateDeps, executionArn: string): Promise<string | undefined> {
  try {
    const execution = await deps.sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (execution.status === 'RUNNING' || execution.status === 'SUCCEEDED') return undefined;
    if (execution.error === 'ClusterBusyError') return undefined;
    return execution.error ?? execution.status;
  } catch (error) {
    if (isAwsError(error, 'ExecutionDoesNotExist')) return undefined;
    throw error;
  }
}
