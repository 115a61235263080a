import { describe, expect, it } from 'vitest';
import { parseUpgradeInput as parseWithMini } from '../../bench/options/zod-mini-input.ts';
import { parseUpgradeInput } from '../../functions/shared/input.ts';

/** Outcome of a parse: the value, or the error's name and message. */
const outcome = (parse: (raw: unknown) => unknown, raw: unknown) => {
  try {
    return { value: parse(raw) };
  } catch (error) {
    return error instanceof Error ? { error: error.name, message: error.message } : { error: String(error) };
  }
};

describe('the zod/mini rendering of the input schema (bundle-size option)', () => {
  it('accepts, defaults and refuses exactly as the product schema does', () => {
    const inputs: unknown[] = [
      { clusterName: 'ekscluster-eksctl', targetVersion: '1.19' },
      { clusterName: 'prod', targetVersion: 'latest', nodegroups: ['a', 'b'], maxConcurrentNodegroups: 4 },
      { clusterName: 'prod', releaseVersion: '1.32.11-20261104', launchTemplateVersions: { gpu: '8' } },
      { clusterName: 'prod', window: { start: '2026-11-25T02:00:00Z', minutes: 240 }, dryRun: true },
      { clusterName: 'prod', deadline: '2026-11-25T06:00:00+01:00', force: true, notify: false },
      { clusterName: '', targetVersion: '1.19' },
      { clusterName: 'prod', targetVersion: 'v1.19' },
      { clusterName: 'prod', nodegroups: [] },
      { clusterName: 'prod', maxConcurrentNodegroups: 0.5 },
      { clusterName: 'prod', window: { start: 'tomorrow', minutes: 10 } },
      { clusterName: 'prod', surprise: true },
      { clusterName: 'prod', bake: { minutes: 60, alarms: ['api-5xx'] }, onGateFailure: 'rollback' },
      { clusterName: 'prod', bake: { minutes: 0, alarms: ['arn:aws:cloudwatch:us-east-1:1:alarm:x'] } },
      { clusterName: 'prod', onGateFailure: 'rollback' },
      { clusterName: 'prod', rollback: true, dryRun: true },
      { clusterName: 'prod', rollback: true, targetVersion: '1.30', nodegroups: ['a'] },
      'not an object',
    ];
    for (const raw of inputs) expect(outcome(parseWithMini, raw)).toEqual(outcome(parseUpgradeInput, raw));
  });
});
