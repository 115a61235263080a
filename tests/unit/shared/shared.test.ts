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
  /** The waits of one update polled from its start until a check lands at or past `endsAt`. */
  const waitsUntil = (endsAt: number, expected: number) => {
    const waits: number[] = [];
    let elapsed = 0;
    while (elapsed < endsAt) {
      const wait = nextWaitSeconds(elapsed, expected);
      waits.push(wait);
      elapsed += wait;
    }
    return { waits, checkedAt: elapsed };
  };

  it('stays within the floor and the ceiling', () => {
    for (const elapsed of [0, 100, 1000, 1490, 1500, 1600, 5000, 100_000]) {
      const wait = nextWaitSeconds(elapsed, 1500);
      expect(wait).toBeGreaterThanOrEqual(pollFloorSeconds);
      expect(wait).toBeLessThanOrEqual(pollCeilingSeconds);
    }
  });

  it('waits the ceiling while the update is young, then halves toward its expected end', () => {
    expect(nextWaitSeconds(0, 1500)).toBe(pollCeilingSeconds);
    expect(nextWaitSeconds(60, 1500)).toBe(pollCeilingSeconds);
    expect(nextWaitSeconds(1200, 1500)).toBe(150);
    expect(nextWaitSeconds(1350, 1500)).toBe(75);
  });

  it('lands a check exactly on the expected end, once the half is under a minute', () => {
    expect(waitsUntil(1500, 1500).waits).toEqual([300, 300, 300, 300, 150, 75, 75]);
    expect(waitsUntil(180, 180).waits).toEqual([90, 90]);
    fc.assert(
      fc.property(fc.integer({ min: pollFloorSeconds, max: 4 * 3600 }), (expected) => {
        expect(waitsUntil(expected, expected).checkedAt).toBe(expected);
      }),
    );
  });

  it('sees an update that ends early within half of how early it ended, or within the ceiling', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 60, max: 4 * 3600 }),
        fc.double({ min: 0.5, max: 1, noNaN: true }),
        (expected, share) => {
          const endsAt = Math.ceil(expected * share);
          const { checkedAt } = waitsUntil(endsAt, expected);
          expect(checkedAt - endsAt).toBeLessThanOrEqual(
            Math.max(pollCeilingSeconds, (expected - endsAt) / 2 + 1),
          );
        },
      ),
    );
  });

  it('halves down to the floor within the last minute', () => {
    expect(nextWaitSeconds(1450, 1500)).toBe(25);
    expect(nextWaitSeconds(1485, 1500)).toBe(15);
    expect(nextWaitSeconds(1495, 1500)).toBe(pollFloorSeconds);
  });

  it('polls every 30 s past the expected end, then an eighth of the overrun', () => {
    expect(nextWaitSeconds(1500, 1500)).toBe(30);
    expect(nextWaitSeconds(1600, 1500)).toBe(30);
    expect(nextWaitSeconds(2300, 1500)).toBe(100);
    expect(nextWaitSeconds(100_000, 1500)).toBe(pollCeilingSeconds);
    // Four minutes late is seen within 30 s; much later, within an eighth of the lateness.
    expect(waitsUntil(1500 + 240, 1500).checkedAt - (1500 + 240)).toBeLessThanOrEqual(30);
  });
});
