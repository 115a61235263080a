import { compareAddonVersions, parseAddonVersion } from '../shared/addon-versions.ts';
import { UnsupportedTargetError } from '../shared/errors.ts';

/** The add-on versions compatible with one Kubernetes version (DescribeAddonVersions), and EKS's default. */
export interface AddonCatalog {
  versions: string[];
  defaultVersion: string | undefined;
}

/** The Amazon VPC CNI add-on may only move one minor version per update (EKS user guide). */
const oneMinorAtATime: ReadonlySet<string> = new Set(['vpc-cni']);

function newest(versions: string[]): string | undefined {
  return versions
    .flatMap((text) => {
      const parsed = parseAddonVersion(text);
      return parsed ? [{ text, parsed }] : [];
    })
    .sort((a, b) => compareAddonVersions(b.parsed, a.parsed))[0]?.text;
}

/**
 * The updates an add-on gets once the control plane is on a version whose catalog is given.
 * Most add-ons move only when their version is not compatible, straight to EKS's default. Those
 * that must move one minor per update (vpc-cni) step toward the default at every hop, through the
 * newest compatible patch of each minor, so they never fall too far behind to catch up.
 * @throws UnsupportedTargetError when an incompatible add-on has no compatible version to reach.
 */
export function planAddonSteps(
  name: string,
  current: string,
  catalog: AddonCatalog,
  clusterVersion: string,
): string[] {
  const compatible = catalog.versions.includes(current);
  const goal = catalog.defaultVersion ?? newest(catalog.versions);
  const from = parseAddonVersion(current);
  const to = goal ? parseAddonVersion(goal) : undefined;
  const stuck = (why: string) =>
    new UnsupportedTargetError(
      `Add-on ${name} ${current} is not compatible with Kubernetes ${clusterVersion} and ${why}; update it by hand first. Nothing was changed.`,
    );
  if (!goal || !from || !to) {
    if (compatible) return [];
    throw stuck('EKS lists no version to move it to');
  }
  if (compareAddonVersions(to, from) <= 0) {
    if (compatible) return [];
    throw stuck(`EKS's default for it, ${goal}, is not newer`);
  }
  if (!oneMinorAtATime.has(name) || to.major !== from.major) return compatible ? [] : [goal];

  const steps: string[] = [];
  for (let minor = from.minor + 1; minor <= to.minor; minor += 1) {
    const step =
      minor === to.minor
        ? goal
        : newest(catalog.versions.filter((version) => parseAddonVersion(version)?.minor === minor));
    if (!step) break;
    steps.push(step);
  }
  if (steps.length === 0 && !compatible)
    throw stuck(`no ${from.major}.${from.minor + 1} version is compatible with it`);
  return steps;
}
