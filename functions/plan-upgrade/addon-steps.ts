import { UnsupportedTargetError } from '../shared/errors.ts';

/** The add-on versions compatible with one Kubernetes version (DescribeAddonVersions), and EKS's default. */
export interface AddonCatalog {
  versions: string[];
  defaultVersion: string | undefined;
}

/** The Amazon VPC CNI add-on may only move one minor version per update (EKS user guide). */
const oneMinorAtATime: ReadonlySet<string> = new Set(['vpc-cni']);

interface AddonVersion {
  major: number;
  minor: number;
  patch: number;
  build: number;
}

/** Parses "v1.10.4-eksbuild.1". */
function parseAddonVersion(text: string): AddonVersion | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)(?:-eksbuild\.(\d+))?/.exec(text);
  if (!match) return undefined;
  return {
    major: Number(match[1]),
    minor: Number(match[2]),
    patch: Number(match[3]),
    build: Number(match[4] ?? 0),
  };
}

function compareAddonVersions(a: AddonVersion, b: AddonVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch || a.build - b.build;
}

function newest(versions: string[]): string | undefined {
  return versions
    .flatMap((text) => {
      const parsed = parseAddonVersion(text);
      return parsed ? [{ text, parsed }] : [];
    })
    .sort((a, b) => compareAddonVersions(b.parsed, a.parsed))[0]?.text;
}

/**
 * The updates an add-on needs once the control plane is on a version whose catalog is given:
 * none when its version is compatible; else straight to EKS's default version, or one minor
 * at a time for add-ons that require it, through the newest compatible patch of each minor.
 * @throws UnsupportedTargetError when no compatible path exists.
 */
export function planAddonSteps(
  name: string,
  current: string,
  catalog: AddonCatalog,
  clusterVersion: string,
): string[] {
  if (catalog.versions.includes(current)) return [];
  const goal = catalog.defaultVersion ?? newest(catalog.versions);
  const from = parseAddonVersion(current);
  const to = goal ? parseAddonVersion(goal) : undefined;
  if (!goal || !from || !to) {
    throw new UnsupportedTargetError(
      `Add-on ${name} ${current} is not compatible with Kubernetes ${clusterVersion} and EKS lists no version to move it to. Nothing was changed.`,
    );
  }
  if (compareAddonVersions(to, from) <= 0) return [];
  if (!oneMinorAtATime.has(name) || to.major !== from.major) return [goal];

  const steps: string[] = [];
  for (let minor = from.minor + 1; minor < to.minor; minor += 1) {
    const step = newest(catalog.versions.filter((version) => parseAddonVersion(version)?.minor === minor));
    if (!step) {
      throw new UnsupportedTargetError(
        `Add-on ${name} must move one minor version at a time from ${current} to ${goal}, but no ${to.major}.${minor} version is compatible with Kubernetes ${clusterVersion}; move it by hand first. Nothing was changed.`,
      );
    }
    steps.push(step);
  }
  steps.push(goal);
  return steps;
}
