import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextWaitSeconds, pollCeilingSeconds, pollFloorSeconds } from '../../../functions/shared/polling.ts';
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
  type Polled = Parameters<typeof nextWaitSeconds>[0];
  type Progress = { updated: number; total: number };

  /** Polls one update from its start until a check lands at or past `endsAt`: the checks made, the latency. */
  const pollUntil = (
    update: Polled,
    endsAt: number,
    progressAt: (t: number) => Progress | undefined = () => undefined,
  ) => {
    let elapsed = 0;
    let polls = 0;
    while (elapsed < endsAt) {
      const progress = progressAt(elapsed);
      elapsed += nextWaitSeconds(update, elapsed, ...(progress ? [progress] : []));
      polls += 1;
    }
    return { polls, latency: elapsed - endsAt };
  };
  /** What a fixed 30 s loop costs: a check every 30 s until one lands at or past the end. */
  const fixedLoopPolls = (endsAt: number) => Math.max(1, Math.ceil(endsAt / 30));
  /** The latency a schedule that waits a tenth of the age (30 s to 300 s) allows. */
  const shareBound = (duration: number) => Math.min(300, Math.max(30, Math.ceil(duration / 10)));

  const controlPlane: Polled = { kind: 'controlPlane' };
  const addon: Polled = { kind: 'addon' };

  it('never waits less than the floor or more than the ceiling', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Polled['kind']>('controlPlane', 'addon', 'nodegroup'),
        fc.double({ min: 0, max: 7 * 24 * 3600, noNaN: true }),
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 0, max: 200 }),
        (kind, elapsed, updated, total) => {
          const wait = nextWaitSeconds({ kind, rollout: { nodes: total, batchSize: 1 } }, elapsed, {
            updated,
            total,
          });
          expect(Number.isInteger(wait)).toBe(true);
          expect(wait).toBeGreaterThanOrEqual(pollFloorSeconds);
          expect(wait).toBeLessThanOrEqual(pollCeilingSeconds);
        },
      ),
    );
  });

  it('sees a control plane end within a tenth of its duration, however long AWS takes', () => {
    // EKS-FACTS 7.7: p10 8 min, p99 40 min, max 60; wider still, to 2 h.
    fc.assert(
      fc.property(fc.integer({ min: 5 * 60, max: 2 * 3600 }), (duration) => {
        expect(pollUntil(controlPlane, duration).latency).toBeLessThanOrEqual(shareBound(duration));
      }),
    );
  });

  it('polls a control plane far less often than a fixed 30 s loop', () => {
    fc.assert(
      fc.property(fc.integer({ min: 5 * 60, max: 2 * 3600 }), (duration) => {
        expect(pollUntil(controlPlane, duration).polls).toBeLessThanOrEqual(fixedLoopPolls(duration) / 2);
      }),
    );
  });

  it('sees an add-on end within 30 s, in fewer polls than a fixed 30 s loop', () => {
    // EKS-FACTS 7.7: add-ons take about 1-5 min; up to 10 here.
    fc.assert(
      fc.property(fc.integer({ min: 61, max: 10 * 60 }), (duration) => {
        const { polls, latency } = pollUntil(addon, duration);
        expect(latency).toBeLessThanOrEqual(shareBound(duration));
        expect(polls).toBeLessThan(fixedLoopPolls(duration));
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

    it('polls less often from its progress than from its age alone, and less than a 30 s loop', () => {
      fc.assert(
        fc.property(rolling, (r) => {
          const fromProgress = pollUntil(polled(r), duration(r), progressAt(r)).polls;
          expect(fromProgress).toBeLessThanOrEqual(pollUntil(polled(r), duration(r)).polls);
          expect(fromProgress).toBeLessThan(fixedLoopPolls(duration(r)) / 2);
        }),
      );
    });

    it('waits longer while many old nodes are left than when few are', () => {
      const update = polled({ nodes: 20, batchSize: 1, launch: 0, perBatch: 0, tail: 0 });
      const many = nextWaitSeconds(update, 20 * 60, { updated: 20, total: 38 });
      const few = nextWaitSeconds(update, 20 * 60, { updated: 20, total: 21 });
      expect(many).toBeGreaterThan(few);
    });
  });
});
