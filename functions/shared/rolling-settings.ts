import type { NodegroupUpdateConfig } from '@aws-sdk/client-eks';
import type { RollingSettings } from './types.ts';

// The input's rollingUpdate, applied to a node group for its roll and taken off after. The group's
// own settings are kept in a tag on it while the run's are on, so that a run that stops in between
// (or a person who reruns it) puts back the group's settings, not the run's.

/** The tag that holds a node group's own rolling settings while a run's are applied. */
export const ownSettingsTag = 'eks-upgrade/own-update-config';

/** EKS's defaults (EKS-FACTS 2): one node at a time, new nodes launched before old ones go. */
const defaults = { maxUnavailable: 1, updateStrategy: 'DEFAULT' } as const;

/** A node group's settings as DescribeNodegroup reports them, EKS's defaults filled in. */
export function settingsOf(config: NodegroupUpdateConfig | undefined): RollingSettings {
  const strategy = config?.updateStrategy === 'MINIMAL' ? 'MINIMAL' : 'DEFAULT';
  return config?.maxUnavailablePercentage
    ? { maxUnavailablePercentage: config.maxUnavailablePercentage, updateStrategy: strategy }
    : { maxUnavailable: config?.maxUnavailable ?? defaults.maxUnavailable, updateStrategy: strategy };
}

/** What the group runs with under the input's settings: the input's fields over its own. */
export function withRunSettings(own: RollingSettings, run: RollingSettings): RollingSettings {
  const size =
    run.maxUnavailable !== undefined
      ? { maxUnavailable: run.maxUnavailable }
      : run.maxUnavailablePercentage !== undefined
        ? { maxUnavailablePercentage: run.maxUnavailablePercentage }
        : own.maxUnavailablePercentage !== undefined
          ? { maxUnavailablePercentage: own.maxUnavailablePercentage }
          : { maxUnavailable: own.maxUnavailable ?? defaults.maxUnavailable };
  return { ...size, updateStrategy: run.updateStrategy ?? own.updateStrategy ?? defaults.updateStrategy };
}

export function sameSettings(a: RollingSettings, b: RollingSettings): boolean {
  const normal = (settings: RollingSettings) => withRunSettings(settings, {});
  return JSON.stringify(normal(a)) === JSON.stringify(normal(b));
}

/** As a tag value: EKS allows letters, digits, spaces and `_ . : / = + - @` in tags, so no JSON. */
export function encodeSettings(settings: RollingSettings): string {
  const normal = withRunSettings(settings, {});
  return Object.entries(normal)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
}

/** The settings a tag holds, or undefined for a value this workflow did not write. */
export function decodeSettings(text: string | undefined): RollingSettings | undefined {
  if (!text) return undefined;
  const fields = Object.fromEntries(text.split(' ').map((pair) => pair.split('=')));
  const size = Number(fields.maxUnavailable ?? fields.maxUnavailablePercentage);
  const strategy = fields.updateStrategy;
  if (!Number.isInteger(size) || size < 1 || (strategy !== 'DEFAULT' && strategy !== 'MINIMAL'))
    return undefined;
  return fields.maxUnavailablePercentage !== undefined
    ? { maxUnavailablePercentage: size, updateStrategy: strategy }
    : { maxUnavailable: size, updateStrategy: strategy };
}
