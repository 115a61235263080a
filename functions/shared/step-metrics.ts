import { DecisionError, WaitingError } from './errors.ts';
import type { UpdateProgress } from './types.ts';

// What a step's result says about the upgrade, as CloudWatch metrics (EMF, through Powertools
// Metrics in handler-kit.ts): updates started, adopted, skipped, deferred, failed by EKS error code,
// how long they took (from EKS's createdAt to the check that saw the end) and how many checks they
// needed, rollbacks. Pure, so npm start can show the
// same numbers for a local run.

export type MetricName =
  | 'UpdatesStarted'
  | 'UpdatesAdopted'
  | 'UpdatesSkipped'
  | 'RollsDeferred'
  | 'UpdatesFailed'
  | 'UpdateSeconds'
  | 'ChecksPerUpdate'
  | 'Rollbacks'
  | 'StepErrors'
  | 'StepRefusals'
  | 'StepWaits';

export interface MetricPoint {
  name: MetricName;
  unit: 'Count' | 'Seconds';
  value: number;
  /** Besides the service: the update's kind, and for a failure its error code. */
  dimensions: Record<string, string>;
}

function isProgress(output: unknown): output is UpdateProgress {
  if (typeof output !== 'object' || output === null) return false;
  return 'kind' in output && 'status' in output && 'updateId' in output && 'polls' in output;
}

/** The metrics a step's output carries; none for outputs that are not an update's progress. */
export function metricsOfOutput(output: unknown): MetricPoint[] {
  if (!isProgress(output)) return [];
  const kind = { Kind: output.kind };
  const count = (name: MetricName, dimensions: Record<string, string> = kind): MetricPoint => ({
    name,
    unit: 'Count',
    value: 1,
    dimensions,
  });
  // A rolling-settings update is the roll's frame, not an update of its own; a roll that ended is
  // reported once, when the group has its own settings back.
  const phase = output.rollingSettings?.phase;
  if (phase === 'apply' || phase === 'restore') return [];
  if (phase === 'roll' && output.status !== 'InProgress') return [];
  switch (output.status) {
    case 'InProgress':
      return output.polls === 0 && output.updateId
        ? [count(output.adopted ? 'UpdatesAdopted' : 'UpdatesStarted')]
        : [];
    case 'Skipped':
      return [count('UpdatesSkipped')];
    case 'Deferred':
      return [count('RollsDeferred')];
    case 'Successful': {
      const seconds =
        output.startedAt && output.finishedAt
          ? (Date.parse(output.finishedAt) - Date.parse(output.startedAt)) / 1000
          : undefined;
      return [
        ...(seconds !== undefined && seconds >= 0
          ? [{ name: 'UpdateSeconds' as const, unit: 'Seconds' as const, value: seconds, dimensions: kind }]
          : []),
        { name: 'ChecksPerUpdate', unit: 'Count', value: output.polls, dimensions: kind },
        ...(output.rollback ? [count('Rollbacks')] : []),
      ];
    }
    default:
      return [count('UpdatesFailed', { ...kind, ErrorCode: output.failure?.error || output.status })];
  }
}

/**
 * A step that threw: a fault (StepErrors: what to alarm on), a decision the run ends with by name
 * (StepRefusals), or a "not yet" the state machine waits out (StepWaits).
 */
export function metricsOfError(error: unknown): MetricPoint[] {
  const name = error instanceof Error ? error.name : 'Unknown';
  if (error instanceof WaitingError)
    return [{ name: 'StepWaits', unit: 'Count', value: 1, dimensions: { ErrorName: name } }];
  if (error instanceof DecisionError)
    return [{ name: 'StepRefusals', unit: 'Count', value: 1, dimensions: { ErrorName: name } }];
  return [{ name: 'StepErrors', unit: 'Count', value: 1, dimensions: {} }];
}
