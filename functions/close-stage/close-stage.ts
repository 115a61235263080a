import { DecisionError, UpgradeDeferredError } from '../shared/errors.ts';
import { type CaughtError, readFailure, type StepFailure } from '../shared/step-failure.ts';
import type { StageResult, UpdateProgress } from '../shared/types.ts';
import { minutesBetween, recordOf } from '../shared/update-records.ts';

/** A node group whose roll execution ended SUCCEEDED: its update, as the stage kept it. */
export interface RolledNodegroup {
  name: string;
  target: string;
  updateId: string | null;
  status: UpdateProgress['status'];
  adopted: boolean;
  startedAt: string | null;
  finishedAt: string | null;
}

/** A node group not rolled because it could not end before the deadline. */
export interface DeferredNodegroup {
  name: string;
  status: 'Deferred';
  note: string;
}

/** A node group whose roll execution failed (or could not start): the error as the Catch recorded it. */
export interface NotRolledNodegroup {
  name: string;
  failure: CaughtError;
}

export interface CloseStageEvent {
  index: number;
  clusterName: string;
  /** Stage 0 has no hop: `{ none: true }`. */
  controlPlaneUpdate: UpdateProgress | { none: true } | null;
  addonUpdates: UpdateProgress[];
  /** One entry per node group of the stage. */
  rollResults: Array<RolledNodegroup | DeferredNodegroup | NotRolledNodegroup>;
}

/** A stage that ended with node groups failed: named after the one EKS error, or this when several differ. */
export class StageFailedError extends DecisionError {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** Errors the state machines retry as transient: failing the stage by one would have it retried. */
const transientErrors: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'ServiceUnavailableException',
  'ServerException',
  'InternalFailure',
]);

/**
 * An EKS error (PodEvictionFailure, InvalidRequestException...) or one of the workflow's
 * (UpdateStuck...): a name the stage may fail by. Step Functions' own (States.*, taken for a quota
 * failure), Lambda's and the SDK's (with a dot) and transient ones are not.
 */
function isOwnName(error: string): boolean {
  return /^[A-Z][A-Za-z]+$/.test(error) && !transientErrors.has(error);
}

/** At most this many failures are spelled out in full (the rest named), and updates listed (the rest counted). */
const failuresInFull = 10;
const updatesListed = 10;

/**
 * The stage's outcome once every node group's roll ended. A failure of any node group fails the
 * stage with its error (the others have finished, and are counted in the message); node groups
 * that did not start before the deadline defer the run.
 * @throws StageFailedError, UpgradeDeferredError.
 */
export function closeStage(event: CloseStageEvent): StageResult {
  const results = event.rollResults;
  const rolled = results.filter(
    (result): result is RolledNodegroup => !('failure' in result) && result.status !== 'Deferred',
  );
  const notRolled = results
    .filter((result): result is NotRolledNodegroup => 'failure' in result)
    .map((result) => ({ name: result.name, ...readFailure(result.failure) }));
  const deferred = [
    ...results
      .filter((result): result is DeferredNodegroup => !('failure' in result) && result.status === 'Deferred')
      .map((result) => ({ name: result.name, error: 'UpgradeDeferredError', cause: result.note })),
    ...notRolled.filter((result) => result.error === 'UpgradeDeferredError'),
  ];
  const failed = notRolled.filter((result) => result.error !== 'UpgradeDeferredError');
  const finished = finishedSentence(rolled);

  if (failed.length > 0) {
    const errors = new Set(failed.map((result) => result.error));
    const [only] = errors;
    throw new StageFailedError(
      errors.size === 1 && only && isOwnName(only) ? only : 'NodegroupUpdatesFailed',
      [
        `${failed.length} of ${results.length} node groups of cluster ${event.clusterName} did not roll in stage ${event.index}: ${describe(failed)}.`,
        finished,
        deferred.length > 0
          ? `Not started before the deadline: ${deferred.map((result) => result.name).join(', ')}.`
          : '',
        'A new run continues from here: node groups already on their version are skipped.',
      ]
        .filter(Boolean)
        .join(' '),
    );
  }
  if (deferred.length > 0) {
    const [first] = deferred;
    const what =
      deferred.length === 1
        ? (first?.cause ?? '')
        : `${deferred.length} node groups of stage ${event.index} could not start before the deadline (${deferred.map((result) => result.name).join(', ')}); the first: ${first?.cause ?? ''}`;
    throw new UpgradeDeferredError(rolled.length > 0 ? `${what} ${finished}` : what);
  }
  const updated = rolled.filter((result) => result.updateId);
  const minutes = rolled.flatMap((result) => {
    const taken = minutesBetween(result.startedAt, result.finishedAt);
    return result.updateId && taken !== null ? [taken] : [];
  });
  return {
    index: event.index,
    controlPlane:
      event.controlPlaneUpdate && 'kind' in event.controlPlaneUpdate
        ? recordOf(event.controlPlaneUpdate)
        : null,
    addons: event.addonUpdates.map(recordOf),
    nodegroups: {
      rolled: updated.length,
      skipped: rolled.length - updated.length,
      adopted: rolled.filter((result) => result.adopted).length,
      fastestMinutes: minutes.length > 0 ? Math.min(...minutes) : null,
      slowestMinutes: minutes.length > 0 ? Math.max(...minutes) : null,
      updates: updated.slice(0, updatesListed).map((result) => ({
        what: `node group ${result.name}`,
        target: result.target,
        updateId: result.updateId,
        status: result.status,
        adopted: result.adopted,
        minutes: minutesBetween(result.startedAt, result.finishedAt),
      })),
    },
  };
}

function describe(failures: Array<StepFailure & { name: string }>): string {
  const full = failures
    .slice(0, failuresInFull)
    .map((failure) => `node group ${failure.name}: ${failure.error}: ${failure.cause.replace(/\.\s*$/, '')}`);
  const rest = failures.slice(failuresInFull).map((failure) => failure.name);
  return [...full, ...(rest.length > 0 ? [`and ${rest.length} more (${rest.join(', ')})`] : [])].join('; ');
}

function finishedSentence(rolled: RolledNodegroup[]): string {
  if (rolled.length === 0) return 'No other node group of the stage finished.';
  const updated = rolled.filter((result) => result.updateId).map((result) => result.name);
  const skipped = rolled.length - updated.length;
  return `The others finished: ${updated.length} rolled${updated.length > 0 && updated.length <= failuresInFull ? ` (${updated.join(', ')})` : ''}, ${skipped} already done.`;
}
