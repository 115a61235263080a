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
  });
});

describe('nextWaitSeconds', () => {
  it('stays within the floor and the ceiling', () => {
    for (const elapsed of [0, 100, 1000, 1490, 1500, 1600, 5000, 100_000]) {
      const wait = nextWaitSeconds(elapsed, 1500);
      expect(wait).toBeGreaterThanOrEqual(pollFloorSeconds);
      expect(wait).toBeLessThanOrEqual(pollCeilingSeconds);
    }
  });

  it('halves toward the expected end, then backs off while the update runs late', () => {
    expect(nextWaitSeconds(1300, 1500)).toBe(100);
    expect(nextWaitSeconds(1500, 1500)).toBe(pollFloorSeconds);
    expect(nextWaitSeconds(2300, 1500)).toBe(200);
  });
});
