import {
  type EKSClient,
  type LaunchTemplateSpecification,
  type Nodegroup,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateNodegroupConfigCommand,
  UpdateNodegroupVersionCommand,
} from '@aws-sdk/client-eks';
import { lateForDeadline } from '../shared/deadline.ts';
import { deferredStep, type StepBase, skippedStep, startOrAdopt } from '../shared/eks-updates.ts';
import { isAwsError, UnexpectedResponseError, UpdateInProgressError } from '../shared/errors.ts';
import { deletion, describeNodegroupIfPresent } from '../shared/nodegroups.ts';
import {
  batchSizeOf,
  nextWaitSeconds,
  nodegroupExpectedSeconds,
  settingsUpdateExpectedSeconds,
} from '../shared/polling.ts';
import { roleOf } from '../shared/role-arn.ts';
import {
  decodeSettings,
  encodeSettings,
  ownSettingsTag,
  sameSettings,
  settingsOf,
  withRunSettings,
} from '../shared/rolling-settings.ts';
import { updateRequestToken } from '../shared/tokens.ts';
import type {
  NodegroupStep,
  RollingSettings,
  RollingSettingsProgress,
  UpdateProgress,
} from '../shared/types.ts';
import { compareMinor, parseMinor } from '../shared/versions.ts';

export interface UpdateNodegroupEvent {
  clusterName: string;
  executionName: string;
  force: boolean;
  nodegroup: NodegroupStep;
  /** No rolling update starts that cannot end before this time; null for none. */
  deadline: string | null;
  /** $$.Execution.RedriveCount: a redriven execution must not get its failed update back. */
  redriveCount?: number;
  /** The roll's progress so far when it is sent again (someone else's update ended): its checks still count. */
  previous?: UpdateProgress | null;
  /** A cluster in another account: the role its calls are made as; null for this account. */
  roleArn?: string | null;
}

export interface UpdateNodegroupDeps {
  eks: EKSClient;
  now: () => Date;
}

/**
 * Starts one planned rolling update of a managed node group, or follows one already under way.
 * With force=false EKS respects pod disruption budgets and fails the update rather than evict past them.
 * Someone else's different update holding the node group is followed to its end (`foreign`), and
 * the roll is sent again then.
 * @throws UpdateInProgressError when the cluster holds it with no update of the node group listed (the state machine retries).
 */
export async function updateNodegroup(
  event: UpdateNodegroupEvent,
  deps: UpdateNodegroupDeps,
): Promise<UpdateProgress> {
  const progress = await nextStep(event, deps);
  // A roll execution's poll budget counts every check it made, before someone else's update ended too.
  return { ...progress, polls: event.previous?.polls ?? progress.polls };
}

/**
 * Under the input's rollingUpdate a roll has three updates: the run's settings applied, the roll,
 * the group's own settings put back; each call takes the next from how the last one ended.
 */
async function nextStep(event: UpdateNodegroupEvent, deps: UpdateNodegroupDeps): Promise<UpdateProgress> {
  const previous = event.previous;
  const settings = previous?.rollingSettings;
  if (previous && settings?.phase === 'roll' && !previous.foreign && previous.status !== 'InProgress')
    return restoreSettings(event, previous, settings, deps);
  if (previous && settings?.phase === 'restore' && previous.status === 'Successful')
    return restored(event, previous, settings, deps.eks);
  return sendRoll(event, deps);
}

async function sendRoll(
  event: UpdateNodegroupEvent,
  { eks, now }: UpdateNodegroupDeps,
): Promise<UpdateProgress> {
  const { clusterName, nodegroup: planned } = event;
  const nodegroupName = planned.name;
  const nodegroup = await describeNodegroupIfPresent(eks, clusterName, nodegroupName);
  const target = planned.toVersion ?? `launch template version ${planned.launchTemplate?.version ?? '?'}`;
  const deleted = deletion(nodegroup);
  if (deleted) {
    // Deleted outside the run since the plan: nothing to roll, and nothing a rerun must do.
    const gone = {
      kind: 'nodegroup' as const,
      clusterName,
      nodegroupName,
      target,
      expectedSeconds: nodegroupExpectedSeconds(1),
      ...roleOf(event),
    };
    return skippedStep(gone, `${deleted} (deleted outside this run); nothing was done to it`);
  }
  if (!nodegroup)
    throw new UnexpectedResponseError(
      `DescribeNodegroup for ${clusterName}/${nodegroupName} returned nothing.`,
    );

  const nodes = nodegroup.scalingConfig?.desiredSize ?? 1;
  const run = runSettings(event, nodegroup);
  const rollout = { nodes, batchSize: batchSizeOf(run?.wanted ?? nodegroup.updateConfig, nodes) };
  // Under rollingUpdate the roll is framed by two settings updates; the deadline must hold all three.
  const expectedSeconds =
    nodegroupExpectedSeconds(rollout.nodes, rollout.batchSize) +
    (run ? 2 * settingsUpdateExpectedSeconds : 0);
  const base = {
    kind: 'nodegroup' as const,
    clusterName,
    nodegroupName,
    target,
    expectedSeconds,
    rollout,
    ...roleOf(event),
  };
  const done = alreadyDone(
    planned,
    nodegroup.version,
    nodegroup.releaseVersion,
    nodegroup.launchTemplate?.version,
  );
  if (done) {
    const skipped = skippedStep(base, done);
    // A run that stopped between its settings and the group's own left them on: put the group's back.
    return run?.leftover ? restoreSettings(event, skipped, { phase: 'roll', ...run }, { eks, now }) : skipped;
  }

  const launchTemplate = planned.launchTemplate ?? sameLaunchTemplate(nodegroup.launchTemplate);
  const late = lateForDeadline(
    `Node group ${nodegroupName} rolling to ${target}`,
    expectedSeconds,
    event.deadline,
    now(),
  );
  if (late) {
    const deferred = deferredStep(base, late);
    return run?.leftover
      ? restoreSettings(event, deferred, { phase: 'roll', ...run }, { eks, now })
      : deferred;
  }
  // The run's settings go on first, while nothing else holds the group (a busy group is followed below).
  const settingsDiffer = run !== undefined && !sameSettings(settingsOf(nodegroup.updateConfig), run.wanted);
  const applied =
    event.previous?.rollingSettings?.phase === 'apply' && event.previous.status === 'Successful';
  if (run && settingsDiffer && applied) return settingsNotApplied(base, nodegroup, run);
  if (run && settingsDiffer && nodegroup.status === 'ACTIVE')
    return applySettings(event, nodegroup, { phase: 'apply', ...run }, eks);
  const withSettings = run
    ? { ...base, rollingSettings: { phase: 'roll' as const, own: run.own, wanted: run.wanted } }
    : base;
  // A node group roll someone else started can run for hours: follow it, and start this one after.
  const deferAfter = event.deadline
    ? new Date(Date.parse(event.deadline) - expectedSeconds * 1000).toISOString()
    : null;
  return startOrAdopt(
    eks,
    withSettings,
    planned.toVersion ?? '',
    () =>
      eks.send(
        new UpdateNodegroupVersionCommand({
          clusterName,
          nodegroupName,
          force: event.force,
          clientRequestToken: updateRequestToken(
            event.executionName,
            `nodegroup/${clusterName}/${nodegroupName}`,
            `${planned.toVersion}/${planned.releaseVersion ?? 'newest'}/${planned.launchTemplate?.version ?? ''}`,
            event.redriveCount,
          ),
          ...(planned.toVersion ? { version: planned.toVersion } : {}),
          ...(planned.releaseVersion ? { releaseVersion: planned.releaseVersion } : {}),
          ...(launchTemplate ? { launchTemplate } : {}),
        }),
      ),
    {
      deferAfter,
      now: now(),
      releaseVersion: planned.releaseVersion,
      launchTemplateVersion: planned.launchTemplate?.version ?? null,
    },
  );
}

/** Why the step has nothing to do (a rerun after it finished, or a person did it), or undefined. */
function alreadyDone(
  planned: NodegroupStep,
  version: string | undefined,
  releaseVersion: string | undefined,
  templateVersion: string | undefined,
): string | undefined {
  // With a custom AMI in its launch template, releaseVersion holds the AMI id and EKS refuses a version change.
  if (!planned.launchTemplate && releaseVersion?.startsWith('ami-')) {
    return `runs custom AMI ${releaseVersion} from its launch template; only a new launch template version moves it`;
  }
  if (planned.launchTemplate) {
    return templateVersion === planned.launchTemplate.version
      ? `already on launch template version ${templateVersion}`
      : undefined;
  }
  const current = parseMinor(version ?? '');
  const wanted = parseMinor(planned.toVersion ?? '');
  if (!current || !wanted) return undefined;
  const order = compareMinor(current, wanted);
  // Never roll back: a node group already past this step's version has had it.
  if (order > 0) return `already on ${version}, past ${planned.toVersion}`;
  if (order === 0 && (planned.releaseVersion === null || planned.releaseVersion === releaseVersion)) {
    return `already on ${version} (${releaseVersion ?? 'unknown release'})`;
  }
  return undefined;
}

/**
 * Keeps a node group on its own launch template version, named the way it was created. The EKS API
 * reference documents only updates that name the group's template and does not say an omitted one
 * keeps it, so it is sent; EKS then reads it as the caller (ec2:DescribeLaunchTemplateVersions).
 */
function sameLaunchTemplate(
  template: LaunchTemplateSpecification | undefined,
): LaunchTemplateSpecification | undefined {
  if (!template?.version || !(template.id || template.name)) return undefined;
  return template.id
    ? { id: template.id, version: template.version }
    : { name: template.name, version: template.version };
}

/**
 * The group's own settings and what it rolls with under the input's rollingUpdate (none without it).
 * The own ones come from the tag a run left on it, else from the roll so far, else from EKS.
 */
function runSettings(
  event: UpdateNodegroupEvent,
  nodegroup: Nodegroup,
): { own: RollingSettings; wanted: RollingSettings; leftover: boolean } | undefined {
  const tagged = decodeSettings(nodegroup.tags?.[ownSettingsTag]);
  if (!event.nodegroup.rollingUpdate) {
    // Without rollingUpdate this run changes no settings; a tag a stopped run left is still honoured.
    return tagged ? { own: tagged, wanted: tagged, leftover: true } : undefined;
  }
  const own = tagged ?? event.previous?.rollingSettings?.own ?? settingsOf(nodegroup.updateConfig);
  return {
    own,
    wanted: withRunSettings(own, event.nodegroup.rollingUpdate),
    // A tag left by a stopped run: put back (or, when its settings are on already, only taken off).
    leftover: tagged !== undefined,
  };
}

/** Tags the group with its own settings (once), then sets the run's: UpdateNodegroupConfig, a ConfigUpdate. */
async function applySettings(
  event: UpdateNodegroupEvent,
  nodegroup: Nodegroup,
  settings: RollingSettingsProgress,
  eks: EKSClient,
): Promise<UpdateProgress> {
  if (!nodegroup.tags?.[ownSettingsTag] && nodegroup.nodegroupArn) {
    await eks.send(
      new TagResourceCommand({
        resourceArn: nodegroup.nodegroupArn,
        tags: { [ownSettingsTag]: encodeSettings(settings.own) },
      }),
    );
  }
  try {
    return await sendSettings(event, settings.wanted, settings, eks);
  } catch (error) {
    if (!isAwsError(error, 'ResourceInUseException')) throw error;
    throw new UpdateInProgressError(
      `Node group ${event.nodegroup.name} is busy with another update; this run's rolling settings were not set and its roll not started.`,
      { cause: error },
    );
  }
}

/** The roll has ended (or had nothing to do): the group's own settings go back before it is reported. */
async function restoreSettings(
  event: UpdateNodegroupEvent,
  roll: UpdateProgress,
  settings: RollingSettingsProgress,
  { eks }: UpdateNodegroupDeps,
): Promise<UpdateProgress> {
  const outcome = rollOutcome(roll);
  // A roll still running in EKS (stuck) holds the group: its settings cannot change until it ends.
  if (roll.failure?.error === 'UpdateStuck') return keptRunSettings(roll, settings, 'its update still runs');
  const nodegroup = await describeNodegroupIfPresent(eks, event.clusterName, event.nodegroup.name);
  if (!nodegroup || sameSettings(settingsOf(nodegroup.updateConfig), settings.own))
    return restored(event, roll, { ...settings, roll: outcome }, eks, nodegroup);
  try {
    return await sendSettings(event, settings.own, { ...settings, phase: 'restore', roll: outcome }, eks);
  } catch (error) {
    if (!isAwsError(error, 'ResourceInUseException')) throw error;
    return keptRunSettings(roll, settings, 'another update holds it');
  }
}

/**
 * The roll as it ended, saying that the group still has the run's settings: the tag keeps its own,
 * and the next run puts them back (a failed roll's cause says it too, for the failure report).
 */
function keptRunSettings(
  roll: UpdateProgress,
  settings: RollingSettingsProgress,
  why: string,
): UpdateProgress {
  const said = `Node group ${roll.nodegroupName} keeps this run's rolling settings (${encodeSettings(settings.wanted)}) for now, as ${why}; its own (${encodeSettings(settings.own)}) are in its tag ${ownSettingsTag}, and the next run puts them back.`;
  const { rollingSettings: _settings, ...rest } = roll;
  return {
    ...rest,
    note: roll.note ? `${roll.note}. ${said}` : said,
    ...(roll.failure ? { failure: { ...roll.failure, cause: `${roll.failure.cause} ${said}` } } : {}),
  };
}

/** The apply ended well, yet the group shows other settings: someone changed them meanwhile. */
function settingsNotApplied(
  base: StepBase,
  nodegroup: Nodegroup,
  run: { own: RollingSettings; wanted: RollingSettings },
): UpdateProgress {
  return {
    ...skippedStep(base, 'its rolling settings were changed by someone else'),
    status: 'Failed',
    failure: {
      error: 'RollingSettingsNotApplied',
      cause: `Node group ${base.nodegroupName} took this run's rolling settings (${encodeSettings(run.wanted)}), but now shows ${encodeSettings(settingsOf(nodegroup.updateConfig))}: someone changed them meanwhile, and it was not rolled. Its own settings (${encodeSettings(run.own)}) are in its tag ${ownSettingsTag}; run again once nobody else changes it.`,
    },
  };
}

/** The group has its own settings again: the tag comes off and the roll is reported as it ended. */
async function restored(
  event: UpdateNodegroupEvent,
  current: UpdateProgress,
  settings: RollingSettingsProgress,
  eks: EKSClient,
  described?: Nodegroup | null,
): Promise<UpdateProgress> {
  const nodegroup =
    described === undefined
      ? await describeNodegroupIfPresent(eks, event.clusterName, event.nodegroup.name)
      : described;
  if (nodegroup?.nodegroupArn && nodegroup.tags?.[ownSettingsTag] !== undefined) {
    await eks.send(
      new UntagResourceCommand({ resourceArn: nodegroup.nodegroupArn, tagKeys: [ownSettingsTag] }),
    );
  }
  const { roll = rollOutcome(current) } = settings;
  const { failure: _failure, ...progress } = current;
  return {
    ...progress,
    ...roll,
    kind: 'nodegroup',
    target: current.target,
    nextWaitSeconds: 0,
    rollingSettings: { ...settings, phase: 'restored' },
  };
}

/** What a roll's report keeps of it while the settings update after it runs. */
function rollOutcome(roll: UpdateProgress): NonNullable<RollingSettingsProgress['roll']> {
  const { updateId, status, adopted, startedAt, finishedAt, note, failure } = roll;
  return {
    updateId,
    status,
    adopted,
    startedAt,
    finishedAt,
    ...(note ? { note } : {}),
    ...(failure ? { failure } : {}),
  };
}

/** UpdateNodegroupConfig with these settings, followed as the roll's update of the moment. */
async function sendSettings(
  event: UpdateNodegroupEvent,
  to: RollingSettings,
  settings: RollingSettingsProgress,
  eks: EKSClient,
): Promise<UpdateProgress> {
  const { clusterName, nodegroup } = event;
  const { update } = await eks.send(
    new UpdateNodegroupConfigCommand({
      clusterName,
      nodegroupName: nodegroup.name,
      updateConfig: to,
      clientRequestToken: updateRequestToken(
        event.executionName,
        `nodegroup/${clusterName}/${nodegroup.name}`,
        // One run rolls a group several times (once per skew rotation): each roll's settings updates are their own.
        `settings/${settings.phase}/${encodeSettings(to)}/${nodegroup.toVersion}/${nodegroup.releaseVersion ?? 'newest'}/${nodegroup.launchTemplate?.version ?? ''}`,
        event.redriveCount,
      ),
    }),
  );
  if (!update?.id)
    throw new UnexpectedResponseError(`EKS started no settings update for node group ${nodegroup.name}.`);
  const base = {
    kind: 'nodegroup' as const,
    clusterName,
    nodegroupName: nodegroup.name,
    target: nodegroup.toVersion ?? `launch template version ${nodegroup.launchTemplate?.version ?? '?'}`,
    expectedSeconds: settingsUpdateExpectedSeconds,
    rollingSettings: settings,
    ...roleOf(event),
  };
  return {
    ...base,
    updateId: update.id,
    status: 'InProgress',
    adopted: false,
    startedAt: null,
    finishedAt: null,
    polls: 0,
    nextWaitSeconds: nextWaitSeconds(base, 0),
  };
}
