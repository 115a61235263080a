import { type AddonCatalog, planAddonSteps } from '../shared/addon-steps.ts';
import { compareAddonVersions, parseAddonVersion } from '../shared/addon-versions.ts';
import { recommendedReleaseParameter } from '../shared/ami-types.ts';
import { resolveDeadline } from '../shared/deadline.ts';
import {
  DowngradeRefusedError,
  InsightsBlockUpgradeError,
  InvalidInputError,
  UnsupportedTargetError,
} from '../shared/errors.ts';
import type { UpgradeInput } from '../shared/input.ts';
import { kubeletSkewInsight } from '../shared/kubelet-skew.ts';
import {
  addonExpectedSeconds,
  batchSizeOf,
  controlPlaneExpectedSeconds,
  nodegroupExpectedSeconds,
  replacementExpectedSeconds,
  settingsUpdateExpectedSeconds,
  typicalSeconds,
  typicalSettingsUpdateSeconds,
} from '../shared/polling.ts';
import { compareReleases } from '../shared/release-versions.ts';
import { controlPlaneHops, planRotations, skewAllows } from '../shared/rotation-plan.ts';
import {
  type NodegroupRoll,
  type NodegroupStep,
  nodegroupSteps,
  type PlanInsight,
  type PlannedNodegroup,
  type PlanStage,
  type RollingSettings,
  type UpgradePlan,
} from '../shared/types.ts';
import { compareMinor, formatMinor, type MinorVersion, parseMinor } from '../shared/versions.ts';
import { ensureCniReadyForAl2023, planReplacement } from './replacement-plan.ts';

/** Everything the plan step read from AWS; building the plan from it calls nothing. */
export interface ClusterFacts {
  clusterName: string;
  current: MinorVersion;
  target: MinorVersion;
  nodegroups: PlannedNodegroup[];
  addons: Array<{ name: string; version: string }>;
  /** Per hop version ("1.25"): add-on name -> compatible versions. */
  addonCatalogs: Map<string, Map<string, AddonCatalog>>;
  insights: PlanInsight[];
  /** "1.30/AL2_x86_64" -> recommended release, where AWS publishes one. */
  recommendedReleases: Map<string, string>;
  notes: string[];
  /** EKS Auto Mode: EKS manages the core add-ons (and its nodes); the plan leaves them to it. */
  autoMode?: boolean;
  /** What the run leaves to a person: nodes outside managed node groups, Fargate pods. */
  leftToUser?: string[];
}

/** Execution names are at most 80 characters: room for "-stage12-r" and the redrive count. */
export const stageNamePrefixLength = 60;

/** Core add-ons every EKS cluster runs, managed by EKS or by the user. */
const coreAddons = ['vpc-cni', 'coredns', 'kube-proxy'];

/**
 * Turns the facts into stages: stage 0 before any hop, then one per control-plane hop, each
 * with the add-on updates the new version needs and the node group rotations due there.
 * @throws InsightsBlockUpgradeError, UnsupportedTargetError.
 */
export function buildPlan(facts: ClusterFacts, input: UpgradeInput, executionName: string): UpgradePlan {
  const hops = controlPlaneHops(facts.current, facts.target);
  const targetText = formatMinor(facts.target);
  // Built step by step, one node group at a time; grouped into rolls once every group is placed.
  const steps: NodegroupStep[][] = [facts.current, ...hops].map(() => []);
  const stages: PlanStage[] = [facts.current, ...hops].map((version, index) => ({
    index,
    controlPlane:
      index === 0
        ? null
        : {
            from: formatMinor(index === 1 ? facts.current : (hops[index - 2] ?? facts.current)),
            to: formatMinor(version),
            ...(input.acceptUnmanagedSkew ? { acceptUnmanagedSkew: true as const } : {}),
          },
    addons: [],
    rolls: [],
  }));
  const lastSteps = steps[steps.length - 1];

  refuseBlockingInsights(facts.insights, input);
  planAddons(facts, stages);

  const expectedNodegroups: UpgradePlan['expected']['nodegroups'] = [];
  const deletedNodegroups: string[] = [];
  for (const nodegroup of facts.nodegroups) {
    if (nodegroup.customAmi) {
      expectedNodegroups.push({ name: nodegroup.name, version: null, releaseVersion: null });
      planCustomAmiNodegroup(nodegroup, facts, hops, input, lastSteps);
      continue;
    }
    const kubelet = parseMinor(nodegroup.currentVersion) ?? facts.current;
    const ends = nodegroupEndVersion(nodegroup, facts, input);
    const endsText = formatMinor(ends);
    // A pinned release is an Amazon Linux release ("1.30.14-20251108"): it applies to those AMI types
    // only, and only to groups that end on the target's minor.
    const pin =
      input.releaseVersion !== undefined &&
      endsText === targetText &&
      recommendedReleaseParameter(targetText, nodegroup.amiType) !== undefined;
    const recommended = facts.recommendedReleases.get(`${endsText}/${nodegroup.amiType}`);
    const finalRelease = (pin ? input.releaseVersion : recommended) ?? null;
    const pinnedBack =
      pin &&
      finalRelease !== null &&
      nodegroup.currentVersion === targetText &&
      (compareReleases(finalRelease, nodegroup.releaseVersion) ?? 0) < 0;
    if (pinnedBack) {
      throw new DowngradeRefusedError(
        `Node group ${nodegroup.name} runs release ${nodegroup.releaseVersion}, newer than the pinned ${finalRelease}; EKS cannot roll a node group back. Nothing was changed.`,
      );
    }
    if (nodegroup.replacement) {
      const replacementRelease =
        facts.recommendedReleases.get(`${endsText}/${nodegroup.replacement.amiType}`) ?? null;
      const expected = planReplacement(
        { ...nodegroup, replacement: nodegroup.replacement },
        facts,
        replacementRelease,
        steps,
      );
      if (expected) expectedNodegroups.push(expected);
      deletedNodegroups.push(nodegroup.name);
      continue;
    }
    const rotations = planRotations(facts.current, ends, kubelet);
    for (const rotation of rotations) {
      const isFinal = rotation.reason === 'final';
      steps[rotation.stage]?.push(
        nodegroupStep(nodegroup, formatMinor(rotation.to), isFinal ? finalRelease : null, rotation.reason),
      );
    }
    // Already on the target version: roll only onto a newer AMI release (an AMI refresh), or onto
    // the one the input pins; a node group already past the recommended release stays.
    const refresh =
      rotations.length === 0 &&
      finalRelease !== null &&
      finalRelease !== nodegroup.releaseVersion &&
      (pin || (compareReleases(nodegroup.releaseVersion, finalRelease) ?? -1) < 0);
    if (refresh) lastSteps?.push(nodegroupStep(nodegroup, endsText, finalRelease, 'ami-refresh'));
    if (rotations.length === 0 && recommendedReleaseParameter(endsText, nodegroup.amiType) === undefined) {
      facts.notes.push(
        `Node group ${nodegroup.name} (${nodegroup.amiType}) gets no AMI refresh: AWS publishes the recommended release of that AMI type outside the EKS parameters this workflow reads, so it cannot tell whether a newer one exists. Its next version upgrade rolls it onto EKS's newest release for that version; update it in the EKS console to refresh it sooner.`,
      );
    }
    const endsOnRelease = rotations.length > 0 || refresh ? finalRelease : nodegroup.releaseVersion;
    expectedNodegroups.push({ name: nodegroup.name, version: endsText, releaseVersion: endsOnRelease });
  }
  // A group a stopped run left on its rolling settings, and with no roll now: a step that only puts
  // its own back (its roll would do that too).
  for (const nodegroup of facts.nodegroups) {
    const stepped = steps.some((stage) => stage.some((step) => step.name === nodegroup.name));
    if (nodegroup.settingsLeftover && !stepped && !nodegroup.replacement)
      lastSteps?.push(
        nodegroupStep(nodegroup, nodegroup.currentVersion, nodegroup.releaseVersion, 'restore-settings'),
      );
  }
  // Longest first: with fewer workers than node groups, the last to start is then a short one.
  for (const stage of stages) {
    // Each roll carries the run's rolling settings (a replacement creates a group with the old one's).
    const staged = (steps[stage.index] ?? []).map((step) =>
      input.rollingUpdate && !step.replacement && step.reason !== 'restore-settings'
        ? { ...step, rollingUpdate: input.rollingUpdate }
        : step,
    );
    stage.rolls = rollsOf(longestFirst(staged, facts.nodegroups));
  }
  ensureCniReadyForAl2023(stages, facts.addons, facts.nodegroups);

  const plan: UpgradePlan = {
    clusterName: facts.clusterName,
    executionName,
    stageNamePrefix: executionName.slice(0, stageNamePrefixLength),
    currentVersion: formatMinor(facts.current),
    targetVersion: targetText,
    stages: stages.filter((stage) => stage.controlPlane || stage.addons.length > 0 || stage.rolls.length > 0),
    nodegroups: facts.nodegroups,
    addons: facts.addons,
    // On Auto Mode, EKS runs the core networking itself: nothing of it is the user's.
    selfManagedAddons: facts.autoMode
      ? []
      : coreAddons.filter((name) => !facts.addons.some((addon) => addon.name === name)),
    insights: facts.insights,
    expected: {
      nodegroups: expectedNodegroups,
      addons: expectedAddons(facts, stages),
      deleted: deletedNodegroups,
      leftToUser: facts.leftToUser ?? [],
    },
    notes: facts.notes,
    estimatedSeconds: 0,
    deadline: resolveDeadline(input),
    force: input.force,
    acceptInsightErrors: input.acceptInsightErrors,
    maxConcurrentNodegroups: input.maxConcurrentNodegroups,
    rollingUpdate: input.rollingUpdate ?? null,
    bake: input.bake
      ? {
          minutes: input.bake.minutes,
          alarms: [...new Set(input.bake.alarms.map(alarmName))],
          failOnHealthIssues: input.bake.failOnHealthIssues,
          onGateFailure: input.onGateFailure,
          knownIssues: [],
        }
      : null,
    approval: input.approval,
    roleArn: input.roleArn ?? null,
    dryRun: input.dryRun,
    notify: input.notify,
    summary: '',
    subjects: notificationSubjects(facts.clusterName, formatMinor(facts.current), targetText),
  };
  plan.estimatedSeconds = estimateSeconds(plan);
  plan.summary = summarize(plan);
  return plan;
}

/** An alarm's name: DescribeAlarms takes names, and an ARN ends in `:alarm:<name>`. */
export function alarmName(reference: string): string {
  const marker = ':alarm:';
  const at = reference.indexOf(marker);
  return reference.startsWith('arn:') && at >= 0 ? reference.slice(at + marker.length) : reference;
}

function refuseBlockingInsights(insights: PlanInsight[], input: UpgradeInput): void {
  // Kubelet skew is the plan's own: managed groups are rolled, the rest is acceptUnmanagedSkew's.
  const blocking = insights.filter(
    (insight) => insight.status === 'ERROR' && insight.name !== kubeletSkewInsight,
  );
  if (blocking.length === 0 || input.acceptInsightErrors) return;
  throw new InsightsBlockUpgradeError(
    `Upgrade insights report errors that EKS would refuse the upgrade for: ${blocking
      .map((insight) => `${insight.name} (${insight.kubernetesVersion}): ${insight.reason}`)
      .join('; ')}. Fix them, or set "acceptInsightErrors": true to upgrade anyway. Nothing was changed.`,
  );
}

/**
 * After each hop, the add-ons whose version the new control plane does not support move. Stage 0
 * moves those the current version already does not support: a run stopped between a hop and its
 * add-ons leaves them so, and the next run must finish that work.
 */
function planAddons(facts: ClusterFacts, stages: PlanStage[]): void {
  const currentVersion = formatMinor(facts.current);
  for (const addon of facts.addons) {
    if (facts.autoMode && coreAddons.includes(addon.name)) continue;
    let version = addon.version;
    for (const stage of stages) {
      const clusterVersion = stage.controlPlane?.to ?? currentVersion;
      const catalog = facts.addonCatalogs.get(clusterVersion)?.get(addon.name);
      if (!catalog || (!stage.controlPlane && !behindOnCurrentVersion(version, catalog))) continue;
      for (const to of planAddonSteps(addon.name, version, catalog, clusterVersion)) {
        stage.addons.push({ name: addon.name, from: version, to, clusterVersion });
        version = to;
      }
    }
  }
}

/** Stage 0 touches an add-on only when the version it runs is unsupported and older than EKS's default. */
function behindOnCurrentVersion(version: string, catalog: AddonCatalog): boolean {
  if (catalog.versions.includes(version)) return false;
  const current = parseAddonVersion(version);
  const goal = parseAddonVersion(catalog.defaultVersion ?? '');
  return current !== undefined && goal !== undefined && compareAddonVersions(current, goal) < 0;
}

function expectedAddons(facts: ClusterFacts, stages: PlanStage[]): Array<{ name: string; version: string }> {
  return facts.addons.map((addon) => {
    const steps = stages.flatMap((stage) => stage.addons).filter((step) => step.name === addon.name);
    return { name: addon.name, version: steps.at(-1)?.to ?? addon.version };
  });
}

/**
 * The minor a node group ends on: the target, except in an AMI refresh (no target), where a group
 * behind the control plane (held back on purpose) stays on its own minor and gets that minor's AMI.
 */
export function nodegroupEndVersion(
  nodegroup: PlannedNodegroup,
  facts: Pick<ClusterFacts, 'current' | 'target'>,
  input: Pick<UpgradeInput, 'targetVersion'>,
): MinorVersion {
  const kubelet = parseMinor(nodegroup.currentVersion);
  if (input.targetVersion === undefined && kubelet && compareMinor(kubelet, facts.current) < 0)
    return kubelet;
  return facts.target;
}

/** One rolling update of a node group. */
export function nodegroupStep(
  nodegroup: PlannedNodegroup,
  toVersion: string | null,
  releaseVersion: string | null,
  reason: NodegroupStep['reason'],
): NodegroupStep {
  return { name: nodegroup.name, toVersion, releaseVersion, launchTemplate: null, reason };
}

/**
 * Steps ordered by how long each takes (a roll: size over batch), longest first; stable. A group EKS
 * reports UPDATING goes first: a rerun adopts the roll a stopped run left before it starts another.
 */
function longestFirst(steps: NodegroupStep[], nodegroups: PlannedNodegroup[]): NodegroupStep[] {
  const updating = (step: NodegroupStep) =>
    nodegroups.some((nodegroup) => nodegroup.name === step.name && nodegroup.updating) ? 1 : 0;
  return steps
    .map((step, position) => ({ step, position, seconds: stepSeconds(step, nodegroups) }))
    .sort((a, b) => updating(b.step) - updating(a.step) || b.seconds - a.seconds || a.position - b.position)
    .map(({ step }) => step);
}

/** How long one node group step takes at about AWS's p90: a replacement, or a roll of the group's size. */
function stepSeconds(step: NodegroupStep, nodegroups: PlannedNodegroup[]): number {
  if (step.replacement) return replacementExpectedSeconds;
  const { desiredSize, maxUnavailable } = sizeOf(nodegroups, step);
  const settings = step.rollingUpdate ? 2 * settingsUpdateExpectedSeconds : 0;
  return nodegroupExpectedSeconds(desiredSize, maxUnavailable) + settings;
}

/** A stage's steps as rolls: node groups moving the same way share one entry, in first-placed order. */
export function rollsOf(steps: NodegroupStep[]): NodegroupRoll[] {
  const rolls = new Map<string, NodegroupRoll>();
  for (const { name, ...move } of steps) {
    const key = JSON.stringify(move);
    const roll = rolls.get(key);
    if (roll) roll.nodegroups.push(name);
    else rolls.set(key, { nodegroups: [name], ...move });
  }
  return [...rolls.values()];
}

/**
 * EKS cannot change the version of a node group whose AMI its launch template names: it moves
 * only to a launch template version the input gives, and must not be left too far behind.
 */
function planCustomAmiNodegroup(
  nodegroup: PlannedNodegroup,
  facts: ClusterFacts,
  hops: MinorVersion[],
  input: UpgradeInput,
  lastSteps: NodegroupStep[] | undefined,
): void {
  const kubelet = parseMinor(nodegroup.currentVersion);
  const breaking = kubelet ? hops.find((hop) => !skewAllows(hop, kubelet)) : undefined;
  if (breaking) {
    throw new UnsupportedTargetError(
      `Node group ${nodegroup.name} runs a custom AMI (${nodegroup.releaseVersion}) with kubelet ${nodegroup.currentVersion}, which the skew rule does not allow under a ${formatMinor(breaking)} control plane. Move it to a newer AMI with a new launch template version first, or choose a lower target. Nothing was changed.`,
    );
  }
  const version = input.launchTemplateVersions?.[nodegroup.name];
  if (version && nodegroup.launchTemplate && version !== nodegroup.launchTemplate.version) {
    const { id, name } = nodegroup.launchTemplate;
    lastSteps?.push({
      ...nodegroupStep(nodegroup, null, null, 'launch-template'),
      launchTemplate: id ? { id, version } : { ...(name ? { name } : {}), version },
    });
    return;
  }
  facts.notes.push(
    `Node group ${nodegroup.name} runs custom AMI ${nodegroup.releaseVersion} from its launch template and is not moved; name a launch template version in "launchTemplateVersions" to roll it.`,
  );
}

/**
 * A window is the same length every time it opens: a step expected to take longer than the whole
 * window would be deferred at every window, for ever. Refuse the run instead, saying what to change.
 * @throws InvalidInputError
 */
export function ensureStepsFitWindow(plan: UpgradePlan, input: UpgradeInput): void {
  if (!input.window) return;
  const windowSeconds = input.window.minutes * 60;
  for (const stage of plan.stages) {
    const steps: Array<[string, number]> = [
      ...(stage.controlPlane
        ? [
            [`The control plane update to ${stage.controlPlane.to}`, controlPlaneExpectedSeconds] as [
              string,
              number,
            ],
          ]
        : []),
      ...stage.addons.map((addon): [string, number] => [`The ${addon.name} update`, addonExpectedSeconds]),
      ...nodegroupSteps(stage).map((step): [string, number] => {
        const { desiredSize, maxUnavailable } = sizeOf(plan.nodegroups, step);
        const what = step.replacement
          ? `The replacement of node group ${step.name} by ${step.replacement.name}`
          : `The roll of node group ${step.name} (${desiredSize} nodes, ${maxUnavailable} at a time)`;
        return [what, stepSeconds(step, plan.nodegroups)];
      }),
    ];
    const tooLong = steps.find(([, seconds]) => seconds > windowSeconds);
    if (tooLong) {
      const [step, seconds] = tooLong;
      throw new InvalidInputError(
        `${step} needs about ${Math.ceil(seconds / 60)} minutes, longer than the whole ${input.window.minutes}-minute upgrade window, so it could never start. Give a window of at least ${Math.ceil(seconds / 60)} minutes${stage.rolls.length > 0 ? ", or raise the node group's maxUnavailable" : ''}. Nothing was changed.`,
      );
    }
  }
}

/**
 * A planned node group's size and batch, which set how long its roll takes: the step's rolling
 * settings when it has them, else the group's own; a replacement has its old group's.
 */
function sizeOf(
  nodegroups: PlannedNodegroup[],
  step: Pick<NodegroupStep, 'name' | 'rollingUpdate'>,
): { desiredSize: number; maxUnavailable: number } {
  const nodegroup = nodegroups.find(
    (candidate) => candidate.name === step.name || candidate.replacement?.name === step.name,
  );
  const desiredSize = nodegroup?.desiredSize ?? 1;
  const settings = step.rollingUpdate;
  const maxUnavailable =
    settings?.maxUnavailable || settings?.maxUnavailablePercentage
      ? batchSizeOf(settings, desiredSize)
      : (nodegroup?.maxUnavailable ?? 1);
  return { desiredSize, maxUnavailable };
}

/**
 * Typical durations (polling's model) added up stage by stage; node groups of a stage share
 * maxConcurrentNodegroups workers, longest first as they run; the bake is waited out in full.
 */
function estimateSeconds(plan: UpgradePlan, { ownSettings = false } = {}): number {
  let total = 0;
  for (const stage of plan.stages) {
    if (stage.controlPlane) total += typicalSeconds('controlPlane') + (plan.bake?.minutes ?? 0) * 60;
    total += stage.addons.length * typicalSeconds('addon');
    const workers = new Array<number>(Math.max(1, plan.maxConcurrentNodegroups)).fill(0);
    for (const step of nodegroupSteps(stage)) {
      const earliest = workers.indexOf(Math.min(...workers));
      const { rollingUpdate: _run, ...own } = step;
      workers[earliest] =
        (workers[earliest] ?? 0) + typicalStepSeconds(ownSettings ? own : step, plan.nodegroups);
    }
    total += Math.max(...workers);
  }
  return Math.round(total);
}

/** How long one node group step typically takes; a replacement has no typical length known, its long one. */
function typicalStepSeconds(step: NodegroupStep, nodegroups: PlannedNodegroup[]): number {
  if (step.replacement) return replacementExpectedSeconds;
  const { desiredSize, maxUnavailable } = sizeOf(nodegroups, step);
  // Under rollingUpdate the roll is framed by two settings updates.
  const settings = step.rollingUpdate ? 2 * typicalSettingsUpdateSeconds : 0;
  return typicalSeconds('nodegroup', { nodes: desiredSize, batchSize: maxUnavailable }) + settings;
}

function summarize(plan: UpgradePlan): string {
  const lines = [
    plan.currentVersion === plan.targetVersion
      ? `Control plane of ${plan.clusterName} stays on ${plan.currentVersion}.`
      : `Control plane of ${plan.clusterName}: ${plan.currentVersion} -> ${plan.targetVersion}, one minor version per update (${plan.stages.filter((stage) => stage.controlPlane).length}).`,
  ];
  for (const stage of plan.stages) {
    const parts = [
      ...(stage.controlPlane ? [`control plane -> ${stage.controlPlane.to}`] : []),
      ...stage.addons.map((addon) => `${addon.name} ${addon.from} -> ${addon.to}`),
      ...stage.rolls.map((roll) =>
        roll.replacement
          ? `REPLACE node group ${roll.nodegroups[0]} by ${roll.replacement.name} (${roll.replacement.amiType}, ${roll.toVersion}), then DELETE ${roll.nodegroups[0]} (EKS drains its nodes) once ${roll.replacement.name} is ACTIVE with as many nodes`
          : roll.reason === 'restore-settings'
            ? `${namesOf(roll.nodegroups)}: own rolling settings put back (a stopped run left its own on), no roll`
            : `${namesOf(roll.nodegroups)} -> ${roll.toVersion ?? `launch template version ${roll.launchTemplate?.version ?? '?'}`}${roll.releaseVersion ? ` (${roll.releaseVersion})` : ''}`,
      ),
    ];
    lines.push(`Stage ${stage.index}: ${parts.join('; ')}.`);
  }
  if (plan.stages.length === 0) lines.push('Nothing to change: the cluster is already where the input asks.');
  if (plan.bake) {
    const { minutes, alarms, failOnHealthIssues, onGateFailure } = plan.bake;
    const watched = [
      ...(alarms.length > 0 ? [`alarms ${alarms.join(', ')}`] : []),
      failOnHealthIssues ? 'cluster and add-on health' : 'health (reported only)',
      'refreshed insights',
    ];
    lines.push(
      `After each hop, before node groups follow: bake ${minutes} min watching ${watched.join(', ')}; a failed gate ${onGateFailure === 'rollback' ? "ROLLS THE HOP BACK (the hop's add-ons, then the control plane to the version before)" : 'stops the run where the hop left it'}.`,
    );
  }
  if (plan.approval !== 'none') {
    lines.push(
      `Waits for approval (eks-upgrade approve) ${plan.approval === 'before-upgrade' ? 'before the upgrade starts' : 'before each control-plane hop'}; unanswered for 24 hours, it stops there (deferred).`,
    );
  }
  lines.push(
    `Node groups roll ${plan.force ? 'IGNORING pod disruption budgets (force)' : 'respecting pod disruption budgets'}, ${plan.maxConcurrentNodegroups} at a time${plan.rollingUpdate ? `, each with ${describeRollingSettings(plan.rollingUpdate)} set before its roll and its own settings put back after it (UpdateNodegroupConfig): about ${Math.round(plan.estimatedSeconds / 60)} min in all, ${Math.round(estimateSeconds(plan, { ownSettings: true }) / 60)} with their own settings` : ''}.`,
  );
  for (const insight of plan.insights.filter((candidate) => candidate.status !== 'PASSING')) {
    lines.push(
      `Insight ${insight.status} for ${insight.kubernetesVersion}: ${insight.name}: ${insight.reason}`,
    );
  }
  if (plan.selfManagedAddons.length > 0) {
    lines.push(`Self-managed add-ons (yours to move, if installed): ${plan.selfManagedAddons.join(', ')}.`);
  }
  lines.push(...plan.notes, ...(plan.expected.leftToUser ?? []));
  return lines.join('\n');
}

/** Node groups named in a message: all of a few, the first and last of many (the plan lists them all). */
function namesOf(names: string[]): string {
  if (names.length === 1) return `node group ${names[0]}`;
  if (names.length <= 5) return `node groups ${names.join(', ')}`;
  return `${names.length} node groups (${names[0]} ... ${names.at(-1)})`;
}

/** SNS refuses subjects over 100 characters, and cluster names may be 100 long. */
export function notificationSubjects(
  clusterName: string,
  from: string,
  to: string,
  kind: 'upgrade' | 'rollback' = 'upgrade',
): UpgradePlan['subjects'] {
  const subject = (outcome: string) => {
    const tail = ` ${from} -> ${to}: ${outcome}`;
    const room = 100 - 'EKS '.length - tail.length;
    const name = clusterName.length > room ? `${clusterName.slice(0, room - 3)}...` : clusterName;
    return `EKS ${name}${tail}`;
  };
  return {
    start: subject(`${kind} started`),
    success: subject(kind === 'rollback' ? 'rolled back' : 'upgrade succeeded'),
    failure: subject(`${kind} FAILED`),
    deferral: subject('deferred to the next window'),
    rollback: subject('health gate failed, ROLLED BACK'),
    approval: subject('waiting for your approval'),
  };
}

/** Rolling settings as a person reads them: "maxUnavailablePercentage 33, updateStrategy MINIMAL". */
export function describeRollingSettings(settings: RollingSettings): string {
  return Object.entries(settings)
    .map(([key, value]) => `${key} ${value}`)
    .join(', ');
}
