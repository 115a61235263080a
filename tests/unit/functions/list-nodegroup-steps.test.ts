import { describe, expect, it } from 'vitest';
import { listNodegroupSteps } from '../../../functions/list-nodegroup-steps/list-nodegroup-steps.ts';

const roll = {
  toVersion: '1.30',
  releaseVersion: '1.30.14-20251108',
  launchTemplate: null,
  reason: 'final' as const,
};
const event = {
  rolls: [{ ...roll, nodegroups: ['system', 'n'.repeat(63)] }],
  executionName: 'prod-next-20261129T0200Z',
  stageIndex: 2,
  redriveCount: 0,
};

describe('listNodegroupSteps', () => {
  it('lists every node group of every roll as a step, in order', () => {
    expect(listNodegroupSteps(event).map(({ rollName: _, ...step }) => step)).toEqual([
      { name: 'system', ...roll },
      { name: 'n'.repeat(63), ...roll },
    ]);
  });

  it('names each roll the same on a retried start, apart across stages and redrives, within 80 characters', () => {
    const [system, long] = listNodegroupSteps(event);
    expect(system?.rollName).toMatch(/^system-[0-9a-f]{10}$/);
    expect(listNodegroupSteps(event)[0]?.rollName).toBe(system?.rollName);
    expect(listNodegroupSteps({ ...event, stageIndex: 3 })[0]?.rollName).not.toBe(system?.rollName);
    expect(listNodegroupSteps({ ...event, redriveCount: 1 })[0]?.rollName).not.toBe(system?.rollName);
    // The roll execution appends "-<poll budget>" (100, 200, ... up to six digits).
    expect(`${long?.rollName}-999999`.length).toBeLessThanOrEqual(80);
  });
});
