import { describe, expect, it } from 'vitest';
import { planAddonSteps } from '../../../functions/shared/addon-steps.ts';

const catalog = {
  versions: [
    'v1.18.1-eksbuild.3',
    'v1.17.1-eksbuild.1',
    'v1.16.4-eksbuild.2',
    'v1.16.0-eksbuild.1',
    'v1.15.5-eksbuild.1',
  ],
  defaultVersion: 'v1.18.1-eksbuild.3',
};

describe('planAddonSteps', () => {
  it('leaves a compatible add-on alone', () => {
    expect(planAddonSteps('coredns', 'v1.16.0-eksbuild.1', catalog, '1.30')).toEqual([]);
  });

  it('moves an incompatible add-on straight to the default version', () => {
    expect(planAddonSteps('coredns', 'v1.10.1-eksbuild.1', catalog, '1.30')).toEqual(['v1.18.1-eksbuild.3']);
  });

  it('steps vpc-cni one minor at a time through the newest patch of each', () => {
    expect(planAddonSteps('vpc-cni', 'v1.14.1-eksbuild.1', catalog, '1.30')).toEqual([
      'v1.15.5-eksbuild.1',
      'v1.16.4-eksbuild.2',
      'v1.17.1-eksbuild.1',
      'v1.18.1-eksbuild.3',
    ]);
  });

  it('steps vpc-cni as far as this version allows while it stays compatible', () => {
    const gappy = {
      versions: ['v1.18.1-eksbuild.3', 'v1.15.5-eksbuild.1', 'v1.14.1-eksbuild.1'],
      defaultVersion: 'v1.18.1-eksbuild.3',
    };
    expect(planAddonSteps('vpc-cni', 'v1.14.1-eksbuild.1', gappy, '1.30')).toEqual(['v1.15.5-eksbuild.1']);
  });

  it('refuses when a minor on the way is missing', () => {
    expect(() => planAddonSteps('vpc-cni', 'v1.12.0-eksbuild.1', catalog, '1.30')).toThrow(
      expect.objectContaining({ name: 'UnsupportedTargetError' }),
    );
  });
});
