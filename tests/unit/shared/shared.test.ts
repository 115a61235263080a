import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  nextWaitSeconds,
  type Polled,
  pollCeilingSeconds,
  pollFloorSeconds,
  tailHasBegun,
} from '../../../functions/shared/polling.ts';
import { updateRequestToken } from '../../../functions/shared/tokens.ts';
import { compareMinor, minorsBetween, nextMinor, parseMinor } from '../../../functions/shared/versions.ts';

describe('versions', () => {
  it('compares minors numerically, not as text', () => {
    const v = (text: string) => parseMinor(text) ?? { major: 0, minor: 0 };
    expect(compareMinor(v('1.9'), v('1.10'))).toBeLessThan(0);
    expect(minorsBetween(v('1.24'), v('1.30'))).toBe(6);
    expect(nextMinor(v('1.29'))).toEqual({ major: 1, minor: 30 });
  });

  it('rejects anything but major.minor', () => {
    for (const text of ['1', '1.19.3', 'v1.19', '', '1.x']) expect(parseMinor(text)).toBeUndefined();
  });
});

describe('updateRequestToken', () => {
  it('is stable for one step and differs between steps and executions', () => {
    const token = updateRequestToken('run-1', 'cluster/prod', '1.19');
    expect(token).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(updateRequestToken('run-1', 'cluster/prod', '1.19')).toBe(token);
    expect(updateRequestToken('run-1', 'cluster/prod', '1.20')).not.toBe(token);
    expect(updateRequestToken('run-2', 'cluster/prod', '1.19')).not.toBe(token);
    // A redrive of the same execution must not be handed its failed update back.
    expect(updateRequestToken('run-1', 'cluster/prod', '1.19', 0)).toBe(token);
    expect(updateRequestToken('run-1', 'cluster/prod', '1.19', 1)).not.toBe(token);
  });
});

describe('nextWaitSeconds', () => {
  type Progress = { updated: number; total: number };

  /**
   * Polls one update from its start until a check lands at or past `endsAt`, timing a node group's
   * tail as Check Update does (from the check before the one that saw it begin): the checks, the latency.
   */
  const pollUntil = (
    update: Polled,
    endsAt: number,
    progressAt: (t: number) => Progress | undefined = () => undefined,
  ) => {
    let elapsed = 0;
    let polls = 0;
    let polled = update;
    let wait = nextWaitSeconds(polled, 0);
    while (elapsed < endsAt) {
      elapsed += wait;
      polls += 1;
      const progress = progressAt(elapsed);
      if (polled.rollout && progress && polled.tailFromSeconds === undefined && tailHasBegun(progress))
        polled = { ...polled, tailFromSeconds: Math.max(0, elapsed - wait) };
      wait = nextWaitSeconds(polled, elapsed, ...(progress ? [progress] : []));
    }
    return { polls, latency: elapsed - endsAt };
  };
  /** What a fixed 30 s loop costs: a check every 30 s until one lands at or past the end. */
  const fixedLoopPolls = (endsAt: number) => Math.max(1, Math.ceil(endsAt / 30));
  /** Past the range AWS reports, the latency a tenth of the age allows (the dense wait to the ceiling). */
  const shareBound = (duration: number) =>
    Math.min(pollCeilingSeconds, Math.max(18, Math.ceil(duration / 10)));

  const controlPlane: Polled = { kind: 'controlPlane' };
  const addon: Polled = { kind: 'addon' };

  it('never waits less than the floor or more than the ceiling', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Polled['kind']>('controlPlane', 'addon', 'nodegroup'),
        fc.double({ min: 0, max: 7 * 24 * 3600, noNaN: true }),
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 0, max: 200 }),
        fc.option(fc.double({ min: 0, max: 7 * 24 * 3600, noNaN: true }), { nil: undefined }),
        (kind, elapsed, updated, total, tailFromSeconds) => {
          const update = { kind, rollout: { nodes: total, batchSize: 1 }, tailFromSeconds };
          const wait = nextWaitSeconds(update, elapsed, { updated, total });
          expect(Number.isInteger(wait)).toBe(true);
          expect(wait).toBeGreaterThanOrEqual(pollFloorSeconds);
          expect(wait).toBeLessThanOrEqual(pollCeilingSeconds);
        },
      ),
    );
  });

  it('sees a control plane that ends in the range AWS reports within 18 s', () => {
    // EKS-FACTS 7.7: "10-15 min" now; a fair model's p10 is 8 min.
    fc.assert(
      fc.property(fc.integer({ min: 7 * 60, max: 16 * 60 }), (duration) => {
        expect(pollUntil(controlPlane, duration).latency).toBeLessThanOrEqual(18);
      }),
    );
  });

  it('sees a slower control plane within a tenth of its duration, however long AWS takes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 16 * 60, max: 2 * 3600 }), (duration) => {
        expect(pollUntil(controlPlane, duration).latency).toBeLessThanOrEqual(shareBound(duration));
      }),
    );
  });

  it('polls a control plane at most three checks more than a fixed 30 s loop, an add-on at most 1.6 times as often', () => {
    // The price of an 18 s latency over the range AWS reports: for the short add-ons, which run one
    // after another, and just past a control plane's range, before its waits outgrow 30 s.
    // Every whole second to two hours, so no draw can miss the worst case.
    for (let duration = 1; duration <= 2 * 3600; duration += 1) {
      expect(pollUntil(controlPlane, duration).polls).toBeLessThanOrEqual(fixedLoopPolls(duration) + 3);
      expect(pollUntil(addon, duration).polls).toBeLessThanOrEqual(1.6 * fixedLoopPolls(duration));
    }
  });

  it('sees an add-on end within 18 s across the 1-5 min AWS reports, and a slower one within a tenth', () => {
    fc.assert(
      fc.property(fc.integer({ min: 45, max: 30 * 60 }), (duration) => {
        const { latency } = pollUntil(addon, duration);
        expect(latency).toBeLessThanOrEqual(duration <= 5 * 60 ? 18 : shareBound(duration));
      }),
    );
  });

  it('sees an update that ends before the first look at the first look', () => {
    expect(pollUntil(controlPlane, 60)).toEqual({ polls: 1, latency: nextWaitSeconds(controlPlane, 0) - 60 });
  });

  describe('for a node group', () => {
    /** A rolling update: surge launch, then batches at a steady pace, then the scale-down tail (seconds). */
    const rolling = fc.record({
      nodes: fc.integer({ min: 1, max: 30 }),
      batchSize: fc.integer({ min: 1, max: 4 }),
      launch: fc.integer({ min: 5 * 60, max: 8 * 60 }),
      perBatch: fc.integer({ min: 4 * 60, max: 7 * 60 }),
      tail: fc.integer({ min: 10 * 60, max: 15 * 60 }),
    });
    type Rolling = typeof rolling extends fc.Arbitrary<infer T> ? T : never;
    const batches = (r: Rolling) => Math.ceil(r.nodes / r.batchSize);
    const duration = (r: Rolling) => r.launch + batches(r) * r.perBatch + r.tail;
    /** What the Auto Scaling group shows: surge nodes on the new version, old nodes leaving batch by batch. */
    const progressAt = (r: Rolling) => (t: number) => {
      const gone = Math.min(r.nodes, r.batchSize * Math.max(0, Math.floor((t - r.launch) / r.perBatch)));
      return { updated: r.nodes, total: 2 * r.nodes - gone };
    };
    const polled = (r: Rolling): Polled => ({
      kind: 'nodegroup',
      rollout: { nodes: r.nodes, batchSize: r.batchSize },
    });

    it('sees the end within a tenth of the duration, whatever the pace', () => {
      fc.assert(
        fc.property(rolling, (r) => {
          expect(pollUntil(polled(r), duration(r), progressAt(r)).latency).toBeLessThanOrEqual(
            shareBound(duration(r)),
          );
        }),
      );
    });

    it('polls at most 0.7 times as often as a fixed 30 s loop, and under 0.45 times on rolls of 8 batches or more', () => {
      fc.assert(
        fc.property(rolling, (r) => {
          const { polls } = pollUntil(polled(r), duration(r), progressAt(r));
          expect(polls).toBeLessThanOrEqual(0.7 * fixedLoopPolls(duration(r)));
          // A grid over this model's ranges puts the worst at 0.667 and 0.391.
          if (batches(r) >= 8) expect(polls).toBeLessThan(0.45 * fixedLoopPolls(duration(r)));
        }),
      );
    });

    it('times the tail from when the last old node left, not from the update start', () => {
      const update = polled({ nodes: 20, batchSize: 1, launch: 0, perBatch: 0, tail: 0 });
      const done = { updated: 20, total: 20 };
      // An hour in, the tail six minutes old: no tail ends that soon, the first look is at nine.
      expect(nextWaitSeconds({ ...update, tailFromSeconds: 3600 - 6 * 60 }, 3600, done)).toBe(3 * 60);
      // Ten minutes into the tail: its ends are likely now.
      expect(nextWaitSeconds({ ...update, tailFromSeconds: 3000 }, 3600, done)).toBe(18);
    });

    it('waits longer while many old nodes are left than when few are', () => {
      const update = polled({ nodes: 20, batchSize: 1, launch: 0, perBatch: 0, tail: 0 });
      const many = nextWaitSeconds(update, 20 * 60, { updated: 20, total: 38 });
      const few = nextWaitSeconds(update, 20 * 60, { updated: 20, total: 21 });
      expect(many).toBeGreaterThan(few);
    });
  });
});
