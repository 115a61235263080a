import { type EKSClient, paginateDescribeAddonVersions } from '@aws-sdk/client-eks';
import { compareAddonVersions, parseAddonVersion } from './addon-versions.ts';
import { UnsupportedTargetError } from './errors.ts';

/** The add-on versions compatible with one Kubernetes version (DescribeAddonVersions), and EKS's default. */
export interface AddonCatalog {
  versions: string[];
  defaultVersion: string | undefined;
}

/**
 * One add-on's versions compatible with a Kubernetes version, and EKS's default there: asked for that
 * add-on alone (the whole catalog, marketplace add-ons included, runs to many pages). Undefined when
 * EKS lists none.
 */
export async function readAddonCatalog(
  eks: EKSClient,
  addonName: string,
  kubernetesVersion: string,
): Promise<AddonCatalog | undefined> {
  let catalog: AddonCatalog | undefined;
  for await (const page of paginateDescribeAddonVersions({ client: eks }, { kubernetesVersion, addonName })) {
    for (const info of page.addons ?? []) {
      if (info.addonName !== addonName) continue;
      const compatible = (info.addonVersions ?? []).flatMap((version) => {
        const match = version.compatibilities?.find((item) => item.clusterVersion === kubernetesVersion);
        return version.addonVersion && match
          ? [{ version: version.addonVersion, isDefault: match.defaultVersion === true }]
          : [];
      });
      catalog = {
        versions: [...(catalog?.versions ?? []), ...compatible.map((item) => item.version)],
        defaultVersion: catalog?.defaultVersion ?? compatible.find((item) => item.isDefault)?.version,
      };
    }
  }
  return catalog;
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
