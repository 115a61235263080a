import { compareAddonVersions, parseAddonVersion } from '../shared/addon-versions.ts';
import { minVpcCniForAl2023 } from '../shared/ami-types.ts';
import { ReplacementRefusedError } from '../shared/errors.ts';
import { planRotations } from '../shared/rotation-plan.ts';
import type { NodegroupStep, PlannedNodegroup, PlanStage } from '../shared/types.ts';
import { formatMinor, type MinorVersion, minorsBetween, parseMinor } from '../shared/versions.ts';

/**
 * Places an AL2 group's replacement: the old group keeps only the rolls the skew rule needs before
 * it goes; the replacement is created in the stage whose control plane is on `atVersion` (the last
 * version with an AL2 AMI, or the current one), then rolls like any group to the target. A
 * replacement a rerun finds already made is a node group of the plan of its own: only the old
 * group's deletion is left here.
 * @returns what Verify Cluster expects of the replacement, or undefined when it is planned on its own.
 */
export function planReplacement(
  nodegroup: PlannedNodegroup & { replacement: NonNullable<PlannedNodegroup['replacement']> },
  range: { current: MinorVersion; target: MinorVersion },
  finalRelease: string | null,
  steps: NodegroupStep[][],
): { name: string; version: string; releaseVersion: string | null } | undefined {
  const { replacement } = nodegroup;
  const at = parseMinor(replacement.atVersion) ?? range.current;
  const stage = minorsBetween(range.current, at);
  const kubelet = parseMinor(nodegroup.currentVersion) ?? range.current;
  for (const rotation of planRotations(range.current, at, kubelet)) {
    if (rotation.reason !== 'skew') continue;
    steps[rotation.stage]?.push(step(nodegroup.name, formatMinor(rotation.to), 'skew'));
  }
  steps[stage]?.push({
    ...step(nodegroup.name, replacement.atVersion, 'replace-al2'),
    replacement: {
      name: replacement.name,
      amiType: replacement.amiType,
      ...(replacement.launchTemplateVersion
        ? { launchTemplateVersion: replacement.launchTemplateVersion }
        : {}),
    },
  });
  if (replacement.exists) return undefined;
  for (const rotation of planRotations(at, range.target, at)) {
    const isFinal = rotation.reason === 'final';
    steps[stage + rotation.stage]?.push({
      ...step(replacement.name, formatMinor(rotation.to), rotation.reason),
      releaseVersion: isFinal ? finalRelease : null,
    });
  }
  return { name: replacement.name, version: formatMinor(range.target), releaseVersion: finalRelease };
}

function step(name: string, toVersion: string, reason: NodegroupStep['reason']): NodegroupStep {
  return { name, toVersion, releaseVersion: null, launchTemplate: null, reason };
}

/**
 * AL2023 nodes need VPC CNI 1.16.2 or newer (EKS-FACTS 7.2): the managed add-on must be there by the
 * stage a replacement is created in, or the new nodes would not get pod networking.
 * @throws ReplacementRefusedError naming the version it would have and the groups.
 */
export function ensureCniReadyForAl2023(
  stages: PlanStage[],
  addons: Array<{ name: string; version: string }>,
  nodegroups: PlannedNodegroup[],
): void {
  const installed = addons.find((addon) => addon.name === 'vpc-cni');
  if (!installed) return;
  for (const nodegroup of nodegroups) {
    const replacement = nodegroup.replacement;
    if (!replacement?.amiType.startsWith('AL2023') || replacement.exists) continue;
    const stage =
      stages.find((candidate) => (candidate.controlPlane?.to ?? null) === replacement.atVersion) ?? stages[0];
    const steps = stages
      .filter((candidate) => candidate.index <= (stage?.index ?? 0))
      .flatMap((candidate) => candidate.addons)
      .filter((addon) => addon.name === 'vpc-cni');
    const version = steps.at(-1)?.to ?? installed.version;
    const parsed = parseAddonVersion(version);
    const minimum = parseAddonVersion(minVpcCniForAl2023);
    if (parsed && minimum && compareAddonVersions(parsed, minimum) < 0) {
      throw new ReplacementRefusedError(
        `Node group ${nodegroup.name} would be replaced on ${replacement.amiType} with vpc-cni ${version}; AL2023 nodes need ${minVpcCniForAl2023} or newer. Update the vpc-cni add-on first, then run again. Nothing was changed.`,
      );
    }
  }
}
