import { type ClusterOutcome, isFailure } from '../shared/fleet-outcomes.ts';

/** One wave as resolve-fleet planned it (what this step reads of it). */
interface Wave {
  name: string;
  items: Array<{ clusterName: string; executionName: string }>;
  maxFailures: number | null;
  soakSeconds: number;
}

export interface CloseWaveEvent {
  waves: Wave[];
  waveIndex: number;
  /** The outcomes of the waves before. */
  results: ClusterOutcome[];
  /** This wave's outcomes, one per cluster. */
  waveResults: ClusterOutcome[];
}

export interface WaveProgress {
  waveIndex: number;
  results: ClusterOutcome[];
  /** No wave left to run: every wave ran, or one failed and the later ones were held back. */
  done: boolean;
  /** The soak before the next wave (0 for none). */
  soakSeconds: number;
}

/**
 * Pure: adds a wave's outcomes to the run's and decides what follows. A wave with more failed or
 * rolled-back clusters than it tolerates, or with clusters not upgraded (deferred, busy, held back),
 * stops the run there: every later wave's clusters are recorded as not started, naming why.
 * Otherwise the next wave follows the wave's soak.
 */
export function closeWave(event: CloseWaveEvent): WaveProgress {
  const wave = event.waves[event.waveIndex];
  const results = [...event.results, ...event.waveResults.map((result) => ({ ...result, wave: wave?.name }))];
  const failed = event.waveResults.filter(isFailure);
  const unfinished = event.waveResults.filter((result) => !isFailure(result) && !finished(result));
  const tolerance = wave?.maxFailures ?? Number.POSITIVE_INFINITY;
  const later = event.waves.slice(event.waveIndex + 1);
  // Only a wave whose clusters all got there lets the next start: deferred, busy or held-back ones
  // are not upgraded yet, and the next wave would outrun them.
  if (later.length > 0 && (failed.length > tolerance || unfinished.length > 0)) {
    const why = [
      ...(failed.length > 0 ? [`${names(failed)} failed or rolled back`] : []),
      ...(unfinished.length > 0 ? [`${names(unfinished)} not upgraded (deferred, busy or held back)`] : []),
    ].join(', and ');
    const reason = `Not started: wave ${wave?.name} ended with ${why}, so later waves were held back.`;
    for (const next of later) {
      for (const item of next.items) {
        results.push({
          clusterName: item.clusterName,
          executionName: item.executionName,
          status: 'NOT_STARTED',
          note: reason,
          wave: next.name,
        });
      }
    }
    return { waveIndex: event.waveIndex + 1, results, done: true, soakSeconds: 0 };
  }
  const done = later.length === 0;
  return { waveIndex: event.waveIndex + 1, results, done, soakSeconds: done ? 0 : (wave?.soakSeconds ?? 0) };
}

/** Upgraded (or planned, in a dry run), by this run or by an earlier execution of this window. */
function finished(result: ClusterOutcome): boolean {
  return result.status === 'SUCCEEDED' && (result.outcome === 'UPGRADED' || result.outcome === 'PLANNED');
}

function names(results: ClusterOutcome[]): string {
  return results.map((result) => result.clusterName).join(', ');
}
