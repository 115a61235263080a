import { z } from 'zod';
import { InvalidInputError } from '../shared/errors.ts';
import { readFailure } from '../shared/step-failure.ts';

/** One cluster's line of the fleet run, as the fleet state machine records it. */
const clusterOutcome = z.object({
  clusterName: z.string(),
  executionName: z.string(),
  /** SUCCEEDED, FAILED, TIMED_OUT, ABORTED, RUNNING (from the child execution), or NOT_STARTED. */
  status: z.string(),
  /** The child's own outcome when it succeeded: UPGRADED, DEFERRED or PLANNED. */
  outcome: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  /** An execution of this cluster and window existed before this run (a repeated schedule, a redrive). */
  earlier: z.boolean().optional(),
  /** The Catch's error output: Error, and usually Cause. */
  failure: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
});

const fleetRun = z.object({
  executionName: z.string(),
  results: z.array(clusterOutcome),
});

export type ClusterOutcome = z.infer<typeof clusterOutcome>;

export interface FleetSummary {
  subject: string;
  message: string;
  /** Clusters that did not end upgraded, deferred or planned. */
  failed: number;
}

/**
 * One notification for the whole window: per cluster, what happened, where it ended and, for a
 * failure, the EKS error and its cause. A failure never hides the other clusters' outcomes.
 * @throws InvalidInputError when the fleet state machine's record is malformed.
 */
export function summarizeFleet(raw: unknown): FleetSummary {
  const parsed = fleetRun.safeParse(raw);
  if (!parsed.success) throw new InvalidInputError(`The fleet record is not valid: ${parsed.error.message}`);
  const { executionName, results } = parsed.data;
  const failed = results.filter(
    (result) => result.status !== 'SUCCEEDED' && result.status !== 'RUNNING' && !isBusy(result),
  );
  const lines = results.map(describeCluster);
  const counts = countBy(results.map(outcomeOf));
  const subject = `EKS fleet ${executionName}: ${failed.length === 0 ? 'done' : `${failed.length} of ${results.length} FAILED`}`;
  return {
    // SNS wants a subject under 100 characters.
    subject: subject.length > 99 ? `${subject.slice(0, 96)}...` : subject,
    message: [
      `Fleet run ${executionName}: ${Object.entries(counts)
        .map(([outcome, count]) => `${count} ${outcome}`)
        .join(', ')}.`,
      '',
      ...lines,
    ].join('\n'),
    failed: failed.length,
  };
}

function describeCluster(result: ClusterOutcome): string {
  const versions = result.from && result.to ? ` (${result.from} -> ${result.to})` : '';
  const earlier = result.earlier ? ', by an earlier execution of this window' : '';
  const head = `- ${result.clusterName}: ${outcomeOf(result)}${versions}${earlier}, execution ${result.executionName}`;
  if (result.status === 'SUCCEEDED' || result.status === 'RUNNING') return head;
  const { error, cause } = readFailure(result.failure ?? {});
  return `${head}\n  ${error}: ${cause}`;
}

/**
 * Refused because another execution was upgrading the cluster (an AMI refresh, a person): not a
 * failure of this run; that execution reports its own end, and the next window continues.
 */
function isBusy(result: ClusterOutcome): boolean {
  return result.status === 'FAILED' && readFailure(result.failure ?? {}).error === 'ClusterBusyError';
}

function outcomeOf(result: ClusterOutcome): string {
  return isBusy(result) ? 'BUSY' : (result.outcome ?? result.status);
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
