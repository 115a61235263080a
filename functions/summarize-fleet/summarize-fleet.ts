import { z } from 'zod';
import { InvalidInputError } from '../shared/errors.ts';
import { type ClusterOutcome, clusterOutcome, isBusy, isFailure } from '../shared/fleet-outcomes.ts';
import { readFailure } from '../shared/step-failure.ts';

const fleetRun = z.object({
  executionName: z.string(),
  results: z.array(clusterOutcome),
});

export interface FleetSummary {
  subject: string;
  message: string;
  /** Clusters that failed or were rolled back (not those held back or busy). */
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
  const failed = results.filter(isFailure);
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
  const wave = result.wave && result.wave !== 'all' ? ` [${result.wave}]` : '';
  const head = `- ${result.clusterName}${wave}: ${outcomeOf(result)}${versions}${earlier}, execution ${result.executionName}`;
  if (result.status === 'SUCCEEDED' || result.status === 'RUNNING') return head;
  if (result.status === 'NOT_STARTED') return `${head}\n  ${result.note ?? 'Not started.'}`;
  const { error, cause } = readFailure(result.failure ?? {});
  return `${head}\n  ${error}: ${cause}`;
}

function outcomeOf(result: ClusterOutcome): string {
  return isBusy(result) ? 'BUSY' : (result.outcome ?? result.status);
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
