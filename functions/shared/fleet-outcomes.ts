import { z } from 'zod';
import { readFailure } from './step-failure.ts';

/** One cluster's line of the fleet run, as the fleet state machine records it. */
export const clusterOutcome = z.object({
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
  /** The wave it ran in (or was held back from). */
  wave: z.string().optional(),
  /** Why it did not start. */
  note: z.string().optional(),
});

export type ClusterOutcome = z.infer<typeof clusterOutcome>;

/**
 * Refused because another execution was upgrading the cluster (an AMI refresh, a person): not a
 * failure of this run; that execution reports its own end, and the next window continues.
 */
export function isBusy(result: ClusterOutcome): boolean {
  return result.status === 'FAILED' && readFailure(result.failure ?? {}).error === 'ClusterBusyError';
}

/** Failed, timed out, aborted or rolled back: not upgraded, deferred, planned, busy or held back. */
export function isFailure(result: ClusterOutcome): boolean {
  return (
    result.status !== 'SUCCEEDED' &&
    result.status !== 'RUNNING' &&
    result.status !== 'NOT_STARTED' &&
    !isBusy(result)
  );
}
