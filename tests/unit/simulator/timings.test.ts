import {
  DescribeUpdateCommand,
  UpdateAddonCommand,
  UpdateClusterVersionCommand,
  UpdateNodegroupVersionCommand,
} from '@aws-sdk/client-eks';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadScenario, type Scenario } from '../../../local/simulator/index.ts';
import { type Duration, parseScenario, withSeed } from '../../../local/simulator/scenario.ts';
import { drawMs, mulberry32, quantileMinutes, updateStream } from '../../../local/simulator/timing.ts';
import { startRig, type TestRig } from './support.ts';

const name = 'ekscluster-eksctl';
const controlPlane = loadScenario('seed').timings.controlPlaneUpdate;

/** The share of draws at or below a value, over a long seeded stream. */
function shareAtOrBelow(d: Duration, minutes: number, draws = 4000): number {
  const random = mulberry32(7);
  let count = 0;
  for (let i = 0; i < draws; i++) if (drawMs(d, random) <= minutes * 60_000) count += 1;
  return count / draws;
}

describe('timing distributions', () => {
  it('defaults the control plane to EKS-FACTS 7.7: median 11, p10 8, p90 18, p99 40, max 60 min', () => {
    expect(controlPlane).toEqual({ p10: 8, median: 11, p90: 18, p99: 40, max: 60 });
  });

  it('passes through every percentile it is given', () => {
    expect(quantileMinutes(controlPlane, -1.2815515655446004)).toBeCloseTo(8, 6);
    expect(quantileMinutes(controlPlane, 0)).toBeCloseTo(11, 6);
    expect(quantileMinutes(controlPlane, 1.2815515655446004)).toBeCloseTo(18, 6);
    expect(quantileMinutes(controlPlane, 2.3263478740408408)).toBeCloseTo(40, 6);
  });

  it('grows with the quantile and never passes max', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -6, max: 6, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (z, dz) => {
          expect(quantileMinutes(controlPlane, z + dz)).toBeGreaterThanOrEqual(
            quantileMinutes(controlPlane, z),
          );
          expect(quantileMinutes(controlPlane, z)).toBeLessThanOrEqual(controlPlane.max);
        },
      ),
    );
  });

  it('draws about half the control planes within the median and nine in ten within p90', () => {
    expect(shareAtOrBelow(controlPlane, 11)).toBeGreaterThan(0.47);
    expect(shareAtOrBelow(controlPlane, 11)).toBeLessThan(0.53);
    expect(shareAtOrBelow(controlPlane, 18)).toBeGreaterThan(0.88);
    expect(shareAtOrBelow(controlPlane, 18)).toBeLessThan(0.92);
    expect(shareAtOrBelow(controlPlane, 60)).toBe(1);
  });

  it('draws a fixed duration when median, p90 and max agree', () => {
    const random = mulberry32(1);
    for (let i = 0; i < 20; i++) expect(drawMs({ median: 3, p90: 3, max: 3 }, random)).toBe(180_000);
  });

  it('gives each seed and key its own stream, and the same one every time', () => {
    const first = (seed: number, key: string) => updateStream(seed, key)();
    expect(first(1, 'c/control-plane/1')).toBe(first(1, 'c/control-plane/1'));
    expect(first(2, 'c/control-plane/1')).not.toBe(first(1, 'c/control-plane/1'));
    expect(first(1, 'c/control-plane/2')).not.toBe(first(1, 'c/control-plane/1'));
  });

  it('refuses percentiles out of order', () => {
    const scenario = loadScenario('seed');
    const bad = {
      ...scenario,
      timings: { ...scenario.timings, addonUpdate: { median: 5, p90: 4, max: 10 } },
    };
    expect(() => parseScenario(bad)).toThrow(/p10 <= median <= p90 <= p99 <= max/);
  });

  it('refuses a seed that is not a whole number', () => {
    expect(() => withSeed(loadScenario('seed'), '1.5')).toThrow(/--seed must be a whole number/);
    expect(withSeed(loadScenario('seed'), '42').seed).toBe(42);
  });
});

describe('drawn durations through the API', () => {
  /** Runs the seed cluster's three updates, polling every `everyMinutes`; returns each update's duration (ms). */
  async function durations(scenario: Scenario, everyMinutes: number): Promise<number[]> {
    const rig: TestRig = await startRig({ scenario, drawnTimings: true });
    try {
      return await runSeedUpdates(rig, everyMinutes);
    } finally {
      await rig.close();
    }
  }

  async function runSeedUpdates(rig: TestRig, everyMinutes: number): Promise<number[]> {
    const waitFor = async (
      updateId: string | undefined,
      scope: { nodegroupName?: string; addonName?: string },
    ) => {
      for (;;) {
        const { update } = await rig.eks.send(new DescribeUpdateCommand({ name, updateId, ...scope }));
        if (update?.status !== 'InProgress') return;
        rig.advanceMinutes(everyMinutes);
      }
    };
    const cluster = await rig.eks.send(new UpdateClusterVersionCommand({ name, version: '1.19' }));
    await waitFor(cluster.update?.id, {});
    const addon = await rig.eks.send(new UpdateAddonCommand({ clusterName: name, addonName: 'vpc-cni' }));
    await waitFor(addon.update?.id, { addonName: 'vpc-cni' });
    const nodegroupName = 'managednodegroup';
    const nodegroup = await rig.eks.send(
      new UpdateNodegroupVersionCommand({ clusterName: name, nodegroupName }),
    );
    await waitFor(nodegroup.update?.id, { nodegroupName });
    const updates = rig.simulator.snapshot().clusters[0]?.updates ?? [];
    return updates.map((update) => (update.endedAt ?? Number.NaN) - update.createdAt);
  }

  it('gives the same durations for the same seed, however often it is polled', async () => {
    const seeded = withSeed(loadScenario('seed'), '7');
    const often = await durations(seeded, 0.5);
    const seldom = await durations(seeded, 7);
    expect(often).toHaveLength(3);
    expect(seldom).toEqual(often);
  });

  it('gives other durations for another seed, within each distribution', async () => {
    const one = await durations(withSeed(loadScenario('seed'), '1'), 1);
    const two = await durations(withSeed(loadScenario('seed'), '2'), 1);
    expect(two).not.toEqual(one);
    for (const [cp] of [one, two]) {
      expect(cp).toBeGreaterThan(0);
      expect(cp).toBeLessThanOrEqual(controlPlane.max * 60_000);
    }
  });

  it('lets an update-fails fault end an update later than any draw of its duration', async () => {
    const seed = loadScenario('seed');
    const scenario = parseScenario({
      ...seed,
      faults: [{ type: 'update-fails', cluster: name, addon: 'vpc-cni', afterMinutes: 30 }],
    });
    const rig = await startRig({ scenario, drawnTimings: true });
    try {
      const { update } = await rig.eks.send(
        new UpdateAddonCommand({ clusterName: name, addonName: 'vpc-cni' }),
      );
      const status = async () =>
        (await rig.eks.send(new DescribeUpdateCommand({ name, updateId: update?.id, addonName: 'vpc-cni' })))
          .update?.status;
      rig.advanceMinutes(seed.timings.addonUpdate.max);
      expect(await status()).toBe('InProgress');
      rig.advanceMinutes(30 - seed.timings.addonUpdate.max);
      expect(await status()).toBe('Failed');
    } finally {
      await rig.close();
    }
  });
});
