import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeSettings,
  encodeSettings,
  sameSettings,
  settingsOf,
  withRunSettings,
} from '../../../functions/shared/rolling-settings.ts';

describe('rolling settings', () => {
  it("reads a group's settings with EKS's defaults filled in", () => {
    expect(settingsOf(undefined)).toEqual({ maxUnavailable: 1, updateStrategy: 'DEFAULT' });
    expect(settingsOf({ maxUnavailablePercentage: 20, updateStrategy: 'MINIMAL' })).toEqual({
      maxUnavailablePercentage: 20,
      updateStrategy: 'MINIMAL',
    });
  });

  it("lays the run's fields over the group's own, one size only", () => {
    const own = { maxUnavailablePercentage: 20, updateStrategy: 'MINIMAL' as const };
    expect(withRunSettings(own, { maxUnavailable: 3 })).toEqual({
      maxUnavailable: 3,
      updateStrategy: 'MINIMAL',
    });
    expect(withRunSettings(own, { updateStrategy: 'DEFAULT' })).toEqual({
      maxUnavailablePercentage: 20,
      updateStrategy: 'DEFAULT',
    });
    expect(sameSettings({ maxUnavailable: 1 }, { maxUnavailable: 1, updateStrategy: 'DEFAULT' })).toBe(true);
    expect(sameSettings({ maxUnavailable: 1 }, { maxUnavailablePercentage: 1 })).toBe(false);
  });

  it('keeps settings in a tag value EKS accepts, and reads back exactly what it wrote', () => {
    const settings = fc.record(
      {
        size: fc.integer({ min: 1, max: 100 }),
        percentage: fc.boolean(),
        updateStrategy: fc.constantFrom('DEFAULT' as const, 'MINIMAL' as const),
      },
      { requiredKeys: ['size', 'percentage'] },
    );
    fc.assert(
      fc.property(settings, ({ size, percentage, updateStrategy }) => {
        const written = {
          ...(percentage ? { maxUnavailablePercentage: size } : { maxUnavailable: size }),
          ...(updateStrategy ? { updateStrategy } : {}),
        };
        const text = encodeSettings(written);
        // EKS tag values: letters, digits, spaces and _ . : / = + - @, at most 256 characters.
        expect(text).toMatch(/^[\w .:/=+\-@]{1,256}$/);
        expect(decodeSettings(text)).toEqual(withRunSettings(written, {}));
      }),
    );
    expect(decodeSettings('set by hand')).toBeUndefined();
    expect(decodeSettings(undefined)).toBeUndefined();
  });
});
