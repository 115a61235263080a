import { createHash } from 'node:crypto';
import type { Duration } from './scenario.ts';

// Durations drawn per update from the scenario's distributions. Each update gets its own stream, keyed by
// seed, resource and the how-many-th update of that resource it is, so the draw depends on the seed and
// the order of updates per resource, never on when or how often anyone polls.

/** mulberry32 (Tommy Ettinger, public domain): a tiny, well-known 32-bit PRNG; uniform in [0, 1). */
export function mulberry32(state: number): () => number {
  let a = state >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A stream of uniforms for one update: the same seed and key always give the same stream. */
export function updateStream(seed: number, key: string): () => number {
  const digest = createHash('sha256').update(`${seed}/${key}`).digest();
  return mulberry32(digest.readUInt32BE(0));
}

// Standard normal quantiles of the 10th, 90th and 99th percentiles.
const z10 = -1.2815515655446004;
const z90 = 1.2815515655446004;
const z99 = 2.3263478740408408;

/**
 * The duration at standard-normal quantile z: log-normal through the median, with one spread below it
 * (from p10) and one above it (from p90, bending at p90 toward p99 when given), clipped to max.
 */
export function quantileMinutes(d: Duration, z: number): number {
  const up = Math.log(d.p90 / d.median) / z90;
  const down = d.p10 === undefined ? up : Math.log(d.median / d.p10) / -z10;
  let logValue: number;
  if (z <= 0) logValue = Math.log(d.median) + z * down;
  else if (z <= z90 || d.p99 === undefined) logValue = Math.log(d.median) + z * up;
  else logValue = Math.log(d.p90) + ((z - z90) * Math.log(d.p99 / d.p90)) / (z99 - z90);
  return Math.min(d.max, Math.exp(logValue));
}

/** One draw in whole milliseconds of simulated time, rounded to the second as AWS's timestamps are. */
export function drawMs(d: Duration, random: () => number): number {
  // Box-Muller: two uniforms give one standard normal; 1 - u keeps the logarithm finite.
  const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Math.max(1, Math.round(quantileMinutes(d, z) * 60)) * 1000;
}
