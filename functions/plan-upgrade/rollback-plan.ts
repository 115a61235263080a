import { type Cluster, type EKSClient, paginateListInsights } from '@aws-sdk/client-eks';
import { readAddonCatalog } from '../shared/addon-steps.ts';
import { resolveDeadline } from '../shared/deadline.ts';
import { RollbackRefusedError } from '../shared/errors.ts';
import type { UpgradeInput } from '../shared/input.ts';
import { addonExpectedSeconds, controlPlaneExpectedSeconds } from '../shared/polling.ts';
import { addonStepsDown, rollbackRefusal } from '../shared/rollback-rules.ts';
import type { AddonStep, UpgradePlan } from '../shared/types.ts';
import { lastVersionChange } from '../shared/version-history.ts';
import { formatMinor, parseMinor } from '../shared/versions.ts';
import { notificationSubjects, stageNamePrefixLength } from './build-plan.ts';

/**
 * The plan of a rollback a person asked for (`eks-upgrade rollback`): one stage that moves the
 * add-ons EKS does not offer on N-1 down, then the control plane to N-1. Read-only. EKS's own
 * answer on the window is its ROLLBACK_READINESS insights, listed only within 7 days of an in-place
 * upgrade: none listed, no rollback.
 * @throws RollbackRefusedError naming the rule EKS would refuse it by, before anything changes.
 */
export async function planRollbackOf(
  eks: EKSClient,
  cluster: Cluster,
  input: UpgradeInput,
  executionName: string,
  now: Date,
  addons: Array<{ name: string; version: string }>,
): Promise<UpgradePlan> {
  const clusterName = input.clusterName;
  const current = parseMinor(cluster.version ?? '');
  if (!current) throw new RollbackRefusedError(`Cluster ${clusterName} reports no usable version.`);
  const from = formatMinor(current);
  const to = formatMinor({ major: current.major, minor: current.minor - 1 });
  const refuse = (why: string) =>
    new RollbackRefusedError(
      `Cluster ${clusterName} cannot be rolled back from ${from} to ${to}: ${why}. Nothing was changed.`,
    );

  const readiness = await rollbackReadiness(eks, clusterName);
  const change = await lastVersionChange(eks, clusterName);
  if (change?.type === 'VersionRollback')
    throw refuse(`it was rolled back to ${from} already, and EKS rolls back one version once`);
  const upgradedAt =
    change?.type === 'VersionUpdate' && change.version === from ? change.createdAt : undefined;
  // EKS's window is 7 days from the upgrade's end, which no API records: its start plus 7 days and
  // an hour for the upgrade itself is surely past it.
  if (upgradedAt && now.getTime() > upgradedAt.getTime() + windowMs + 3600_000) {
    throw refuse(
      `its upgrade to ${from} began ${upgradedAt.toISOString()}, more than 7 days ago, and EKS allows a rollback only within 7 days of it`,
    );
  }
  if (!upgradedAt && readiness.length === 0) {
    throw refuse(
      `EKS lists no in-place upgrade to ${from} and no rollback readiness insights for it (it lists those only within 7 days of an in-place upgrade)`,
    );
  }
  const blockers = readiness.filter((insight) => insight.blocks).map((insight) => insight.text);
  const why = await rollbackRefusal(eks, { cluster, from, to, windowEnds: null, blockers, now });
  if (why) throw refuse(why);

  const steps: AddonStep[] = [];
  for (const addon of addons) {
    const onPrevious = await readAddonCatalog(eks, addon.name, to);
    const onCurrent = await readAddonCatalog(eks, addon.name, from);
    const both = (onPrevious?.versions ?? []).filter((version) => onCurrent?.versions.includes(version));
    const down = addonStepsDown(
      addon.name,
      addon.version,
      both,
      onPrevious?.versions.includes(addon.version) ?? false,
    );
    if (!down)
      throw refuse(
        `add-on ${addon.name} ${addon.version} does not run on ${to} and EKS offers no older version on both ${from} and ${to}`,
      );
    let version = addon.version;
    for (const step of down) {
      steps.push({ name: addon.name, from: version, to: step, clusterVersion: from, rollback: true });
      version = step;
    }
  }

  const moved = steps.map((step) => `${step.name} ${step.from} -> ${step.to}`);
  const summary = [
    `Rollback of ${clusterName}: control plane ${from} -> ${to} (an EKS VersionRollback update), after ${moved.length > 0 ? `add-ons ${moved.join('; ')}` : 'no add-on change (all run on the previous version)'}.`,
    'Node groups are not touched: none runs the newer version (EKS would refuse otherwise).',
    'EKS rolls back only the control plane: add-ons are moved by this run first; node groups, workloads and etcd data stay as they are.',
  ].join('\n');
  return {
    clusterName,
    executionName,
    stageNamePrefix: executionName.slice(0, stageNamePrefixLength),
    currentVersion: from,
    targetVersion: to,
    stages: [{ index: 1, controlPlane: { from, to }, addons: steps, rolls: [], rollback: true }],
    nodegroups: [],
    addons,
    selfManagedAddons: [],
    insights: [],
    expected: {
      nodegroups: [],
      addons: addons.map((addon) => ({
        name: addon.name,
        version: steps.filter((step) => step.name === addon.name).at(-1)?.to ?? addon.version,
      })),
    },
    notes: [],
    estimatedSeconds: controlPlaneExpectedSeconds + steps.length * addonExpectedSeconds,
    deadline: resolveDeadline(input),
    force: false,
    acceptInsightErrors: false,
    maxConcurrentNodegroups: 1,
    rollingUpdate: null,
    bake: null,
    approval: input.approval,
    roleArn: input.roleArn ?? null,
    dryRun: input.dryRun,
    notify: input.notify,
    summary,
    subjects: notificationSubjects(clusterName, from, to, 'rollback'),
  };
}

const windowMs = 7 * 24 * 3600_000;

async function rollbackReadiness(
  eks: EKSClient,
  clusterName: string,
): Promise<Array<{ text: string; blocks: boolean }>> {
  const found: Array<{ text: string; blocks: boolean }> = [];
  const filter = { categories: ['ROLLBACK_READINESS' as const] };
  for await (const page of paginateListInsights({ client: eks }, { clusterName, filter })) {
    for (const insight of page.insights ?? []) {
      const status = insight.insightStatus?.status ?? 'UNKNOWN';
      found.push({
        text: `${insight.name ?? insight.id}: ${insight.insightStatus?.reason ?? status}`,
        blocks: status === 'ERROR' || status === 'UNKNOWN',
      });
    }
  }
  return found;
}
