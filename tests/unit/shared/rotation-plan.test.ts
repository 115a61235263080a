import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  controlPlaneHops,
  maxKubeletLag,
  planRotations,
  type Rotation,
  skewAllows,
} from '../../../functions/shared/rotation-plan.ts';
import { compareMinor, type MinorVersion } from '../../../functions/shared/versions.ts';

const v = (minor: number): MinorVersion => ({ major: 1, minor });

/**
 * The fewest rotations any schedule needs, by exhaustive search: at each stage the node group may
 * stay or roll to any newer version up to the control plane's; every hop must respect the skew
 * rule; it must end on the target.
 */
function bruteForceMinimum(current: number, target: number, kubelet: number): number {
  const hops = controlPlaneHops(v(current), v(target)).map((hop) => hop.minor);
  const search = (stage: number, version: number): number => {
    const controlPlane = stage === 0 ? current : (hops[stage - 1] ?? current);
    let best = Number.POSITIVE_INFINITY;
    for (let to = version; to <= controlPlane; to += 1) {
      const cost = to === version ? 0 : 1;
      const nextHop = hops[stage];
      if (nextHop === undefined) {
        if (to === target) best = Math.min(best, cost);
        continue;
      }
      if (nextHop - to > maxKubeletLag(v(to))) continue;
      best = Math.min(best, cost + search(stage + 1, to));
    }
    return best;
  };
  return search(0, kubelet);
}

/** Replays a plan: every hop and every moment must keep the skew rule, no downgrade, end on target. */
function replay(current: number, target: number, kubelet: number, rotations: Rotation[]): void {
  const hops = controlPlaneHops(v(current), v(target));
  let version = v(kubelet);
  for (let stage = 0; stage <= hops.length; stage += 1) {
    const controlPlane = stage === 0 ? v(current) : (hops[stage - 1] ?? v(current));
    for (const rotation of rotations.filter((candidate) => candidate.stage === stage)) {
      expect(compareMinor(rotation.to, version)).toBeGreaterThan(0);
      expect(compareMinor(rotation.to, controlPlane)).toBeLessThanOrEqual(0);
      version = rotation.to;
    }
    const nextHop = hops[stage];
    if (nextHop) expect(skewAllows(nextHop, version)).toBe(true);
  }
  expect(version).toEqual(v(target));
}

describe('planRotations', () => {
  it('rolls a 1.24 and a 1.23 node group three times each for 1.24 -> 1.30, not six', () => {
    expect(planRotations(v(24), v(30), v(24)).map((rotation) => [rotation.stage, rotation.to.minor])).toEqual(
      [
        [2, 26],
        [5, 29],
        [6, 30],
      ],
    );
    expect(planRotations(v(24), v(30), v(23)).map((rotation) => [rotation.stage, rotation.to.minor])).toEqual(
      [
        [1, 25],
        [4, 28],
        [6, 30],
      ],
    );
  });

  it('lets 1.25 nodes ride three hops before rolling once at the end', () => {
    expect(planRotations(v(25), v(28), v(25))).toEqual([{ stage: 3, to: v(28), reason: 'final' }]);
  });

  it('rolls first a node group already too far behind', () => {
    expect(planRotations(v(24), v(25), v(21))[0]).toEqual({ stage: 0, to: v(24), reason: 'skew' });
  });

  it('plans nothing for a node group already on the target', () => {
    expect(planRotations(v(29), v(29), v(29))).toEqual([]);
  });

  it('needs no more rotations than an exhaustive search finds, on every small input', () => {
    for (let current = 20; current <= 30; current += 1) {
      for (let target = current; target <= current + 7; target += 1) {
        for (let kubelet = current - 5; kubelet <= current; kubelet += 1) {
          const planned = planRotations(v(current), v(target), v(kubelet));
          expect(planned.length, `${current} -> ${target}, kubelet ${kubelet}`).toBe(
            bruteForceMinimum(current, target, kubelet),
          );
        }
      }
    }
  });

  it('never breaks the skew rule, never downgrades and always ends on the target', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 18, max: 34 }),
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 0, max: 6 }),
        (current, climb, behind) => {
          const target = current + climb;
          const kubelet = current - behind;
          replay(current, target, kubelet, planRotations(v(current), v(target), v(kubelet)));
        },
      ),
      { numRuns: 500 },
    );
  });
});
