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
 * rolled-back clusters than it tolerates (or clusters it held back) stops the run there: every
 * later wave's clusters are recorded as not started, naming why. Otherwise the next wave follows
 * the wave's soak.
 */
export function closeWave(event: CloseWaveEvent): WaveProgress {
  const wave = event.waves[event.waveIndex];
  const results = [...event.results, ...event.waveResults.map((result) => ({ ...result, wave: wave?.name }))];
  const failed = event.waveResults.filter(isFailure);
  const held = event.waveResults.some((result) => result.status === 'NOT_STARTED');
  const tolerance = wave?.maxFailures ?? Number.POSITIVE_INFINITY;
  const later = event.waves.slice(event.waveIndex + 1);
  if (failed.length > tolerance || held) {
    const reason = `Not started: wave ${wave?.name} ended with ${failed.map((result) => result.clusterName).join(', ')} failed or rolled back, so later waves were held back.`;
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
