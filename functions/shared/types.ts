import type { RollingProgress } from './polling.ts';
/** The shapes passed between states of statemachine/upgrade-cluster.asl.json. */

export interface LaunchTemplateRef {
  id?: string;
  name?: string;
  version?: string;
}

/** A managed node group as the plan found it. */
export interface PlannedNodegroup {
  name: string;
  currentVersion: string;
  releaseVersion: string;
  amiType: string;
  launchTemplate?: LaunchTemplateRef;
  /** Node count, to predict how long a rolling update takes. */
  desiredSize: number;
  /** Nodes EKS drains at once during a rolling update. */
  maxUnavailable: number;
  /** True when its AMI comes from its launch template: EKS cannot change its version. */
  customAmi: boolean;
  /** Set when EKS reports it UPDATING (a stopped run's roll, or a person's): its stage rolls it first, so adopting it keeps to maxConcurrentNodegroups. */
  updating?: true;
  /** An AL2 group that cannot follow past 1.32 and is replaced (replaceAl2): by which group, on what, when. */
  replacement?: PlannedReplacement;
  /** It carries the tag a run sets while its rolling settings are on: a stopped run left them, and this run puts its own back. */
  settingsLeftover?: true;
}

/** A replacement as planned: created when the control plane is on `atVersion`; `exists` on a rerun that made it. */
export interface PlannedReplacement extends Replacement {
  atVersion: string;
  exists: boolean;
}

/** A node group that replaces an AL2 one: created with its configuration, then the old one deleted. */
export interface Replacement {
  name: string;
  amiType: string;
  /** The version of the old group's launch template the replacement takes (replaceAl2.launchTemplateVersions, else the group's). */
  launchTemplateVersion?: string;
}

/**
 * Why a node group rolls: the skew rule, its final move, a newer AMI, a named launch template
 * version, or its replacement by a group of another AMI type (AL2 past 1.32).
 */
/** restore-settings: no roll, only the group's own rolling settings put back (a stopped run left the run's on). */
export type RollReason =
  | 'skew'
  | 'final'
  | 'ami-refresh'
  | 'launch-template'
  | 'replace-al2'
  | 'restore-settings';

/**
 * Node groups of one stage that roll to the same version and release for the same reason. One
 * entry for many node groups keeps a 100-node-group plan far below Step Functions' payload quota.
 */
export interface NodegroupRoll {
  nodegroups: string[];
  /** Kubernetes version they roll to; null for a launch-template-only move (custom AMI). */
  toVersion: string | null;
  /** AMI release they roll onto; null lets EKS take the newest for the version. */
  releaseVersion: string | null;
  /** A custom-AMI node group's move to the launch template version the input named (a roll of one); else null. */
  launchTemplate: LaunchTemplateRef | null;
  reason: RollReason;
  /** Set with reason replace-al2 (a roll of one): the group created at toVersion, before the old one is deleted. */
  replacement?: Replacement;
  /** The input's rollingUpdate: set on each group before its roll, its own settings restored after. */
  rollingUpdate?: RollingSettings;
}

/** One rolling update of one node group: what Update Node Group is given. */
export interface NodegroupStep {
  name: string;
  toVersion: string | null;
  releaseVersion: string | null;
  launchTemplate: LaunchTemplateRef | null;
  reason: RollReason;
  replacement?: Replacement;
  rollingUpdate?: RollingSettings;
}

/** A node group's rolling update settings (EKS's NodegroupUpdateConfig): at most one of the two sizes. */
export interface RollingSettings {
  maxUnavailable?: number | undefined;
  maxUnavailablePercentage?: number | undefined;
  updateStrategy?: 'DEFAULT' | 'MINIMAL' | undefined;
}

/** One update of one managed add-on, to a version compatible with the control plane at that stage. */
export interface AddonStep {
  name: string;
  from: string;
  to: string;
  /** The control plane version the step was planned for. */
  clusterVersion: string;
  /** Set on a rollback's step: it moves the add-on down, back to the version it had before the hop. */
  rollback?: true;
}

/**
 * One stage of the run: the control plane's hop (none in stage 0), then the add-ons that the new
 * version needs moved, then the node groups due at this point.
 */
export interface PlanStage {
  index: number;
  /** The hop; `acceptUnmanagedSkew` when the input lets nodes outside managed node groups fall behind. */
  controlPlane: { from: string; to: string; acceptUnmanagedSkew?: true } | null;
  addons: AddonStep[];
  rolls: NodegroupRoll[];
  /** Present (true) in a rollback's plan: the control plane goes back, after these add-ons, and no node group moves. */
  rollback?: true;
}

/** Each node group's rolling update in a stage, one by one. */
export function nodegroupSteps(stage: Pick<PlanStage, 'rolls'>): NodegroupStep[] {
  return stage.rolls.flatMap(({ nodegroups, ...roll }) => nodegroups.map((name) => ({ name, ...roll })));
}

export interface PlanInsight {
  id: string;
  name: string;
  kubernetesVersion: string;
  status: string;
  reason: string;
}

/** The bake after each control-plane hop, as the plan resolved it from the input. */
export interface BakePlan {
  minutes: number;
  /** Alarm names (an ARN in the input is cut to its name: DescribeAlarms takes names). */
  alarms: string[];
  failOnHealthIssues: boolean;
  onGateFailure: 'stop' | 'rollback';
  /** Health issues there before the upgrade (`cluster:<code>`, `addon:<name>:<code>`): reported, never failed. */
  knownIssues: string[];
}

/** Where a hop's bake stands: what each check of the gates returns and the next check takes. */
export interface GateState {
  status: 'Baking' | 'Passed' | 'Failed';
  hop: { from: string; to: string };
  /** When the run saw the hop become Successful (ISO); EKS records no end time, and its 7-day rollback window counts from it. */
  hopFinishedAt: string;
  /** The latest a rollback can start: 7 days after the hop, by EKS's rule. */
  rollbackPossibleUntil: string;
  bakeUntil: string;
  nextWaitSeconds: number;
  checks: number;
  /** When the gate asked EKS to refresh the insights (at its first check); null when EKS refused. */
  insightsRefreshStartedAt: string | null;
  /** ROLLBACK_READINESS insights that would block a rollback (ERROR or UNKNOWN); null until read. */
  rollbackBlockers: string[] | null;
  /** Reported, not failed: alarms with INSUFFICIENT_DATA, insights for the next hop, health with failOnHealthIssues off. */
  warnings: string[];
  /** Set when a gate failed: which, and what it saw. */
  failure?: { error: 'HealthGateFailedError'; gate: string; cause: string };
}

/** What a gate's rollback moves, planned before anything moves (EKS-FACTS 7.1). */
export interface RollbackPlan {
  controlPlane: { from: string; to: string };
  /** The hop's add-on updates undone, last first, each back to the version it had. */
  addons: AddonStep[];
  /** For the notification: what the rollback leaves as it is, and why. */
  untouched: string;
  /** Why it happens: the failed gate's cause, or that a person asked (eks-upgrade rollback). */
  reason: string;
  /** A failed gate's rollback ends the run UpgradeRolledBackError; one a person asked for succeeds. */
  automatic: boolean;
}

export interface UpgradePlan {
  clusterName: string;
  executionName: string;
  currentVersion: string;
  targetVersion: string;
  stages: PlanStage[];
  nodegroups: PlannedNodegroup[];
  addons: Array<{ name: string; version: string }>;
  /** Core add-ons EKS does not manage on this cluster: the user moves them (if installed). */
  selfManagedAddons: string[];
  insights: PlanInsight[];
  /** What the cluster should look like at the end, for Verify Cluster. */
  expected: {
    nodegroups: Array<{ name: string; version: string | null; releaseVersion: string | null }>;
    addons: Array<{ name: string; version: string }>;
    /** Node groups replaced (AL2): they must be gone at the end. Absent in plans made before replacements. */
    deleted?: string[];
    /** What the run leaves to a person (nodes outside managed node groups, Fargate pods), for the report. */
    leftToUser?: string[];
  };
  /** Things a person should know that change nothing (custom AMIs, versions past support...). */
  notes: string[];
  estimatedSeconds: number;
  /** No step starts that cannot end before this time (ISO); null for none. */
  deadline: string | null;
  force: boolean;
  acceptInsightErrors: boolean;
  maxConcurrentNodegroups: number;
  /** How the node groups roll in this run (the input's rollingUpdate); null: each as it is set. */
  rollingUpdate: RollingSettings | null;
  /** The bake and health gates after each hop; null for none. */
  bake: BakePlan | null;
  /** A cluster in another account: the role every call for it is made as; null for this account. */
  roleArn: string | null;
  /** Whose yes the run waits for (eks-upgrade approve answers the task token; 24 hours at most). */
  approval: 'none' | 'before-upgrade' | 'before-each-hop';
  dryRun: boolean;
  notify: boolean;
  /** Starts each stage execution's name: this execution's, cut to leave room for the stage and redrive count. */
  stageNamePrefix: string;
  /** A few lines a person reads in the notification and the dry-run output. */
  summary: string;
  /** SNS subjects (at most 100 characters, one line) for the start, success and failure messages. */
  subjects: {
    start: string;
    success: string;
    failure: string;
    deferral: string;
    rollback: string;
    approval: string;
  };
}

export type UpdateKind = 'controlPlane' | 'nodegroup' | 'addon';

/** Deferred: a node group roll that could not end before the deadline was not started (`note` says why). */
export type StepStatus = 'InProgress' | 'Successful' | 'Failed' | 'Cancelled' | 'Skipped' | 'Deferred';

/**
 * A roll under the input's rollingUpdate: `apply` (UpdateNodegroupConfig to `wanted`), `roll` (the
 * rolling update), `restore` (UpdateNodegroupConfig back to `own`), `restored` (the roll's outcome).
 */
export interface RollingSettingsProgress {
  phase: 'apply' | 'roll' | 'restore' | 'restored';
  own: RollingSettings;
  wanted: RollingSettings;
  /** Set from `restore` on: the roll as it ended, reported once the group has its own settings back. */
  roll?: Pick<
    UpdateProgress,
    'updateId' | 'status' | 'adopted' | 'startedAt' | 'finishedAt' | 'note' | 'failure'
  >;
}

/** What an update step and each check of it return; the next check takes it as input. */
export interface UpdateProgress {
  kind: UpdateKind;
  clusterName: string;
  nodegroupName?: string;
  addonName?: string;
  target: string;
  updateId: string | null;
  status: StepStatus;
  /** True when the update was started by someone else and this run follows it. */
  adopted: boolean;
  /** Set on a control-plane rollback: EKS's update type is VersionRollback. */
  rollback?: true;
  /** A cluster in another account: the role each check of this update is made as. */
  roleArn?: string;
  /** A long-but-normal duration of this update (about AWS's p90), for deadlines; polling does not aim at it. */
  expectedSeconds: number;
  nextWaitSeconds: number;
  /** A node group's nodes when its update began and its batch size (maxUnavailable): the pace of its progress. */
  rollout?: { nodes: number; batchSize: number };
  /** Rolling progress of a node group, from its Auto Scaling group. */
  progress?: RollingProgress;
  /** A node group's age when a check first saw its rolling replacement over: its scale-down tail began. */
  tailFromSeconds?: number;
  /** A roll with the input's rollingUpdate: which of its steps this update is, and what the roll did. */
  rollingSettings?: RollingSettingsProgress;
  /** When EKS created the update, and when a check first saw it end (ISO; null until known): its duration for people. */
  startedAt: string | null;
  finishedAt: string | null;
  /** Checks so far: a roll execution hands a long update over to a new one after a budget of them. */
  polls: number;
  /** Why a step was skipped, when it was. */
  note?: string;
  /**
   * Set while the update followed is someone else's different one holding the node group: this
   * step starts its own once it ends, unless the deadline comes first (then the run defers).
   */
  foreign?: { type: string; deferAfter: string | null; seenAt: string };
  /** Present when status is Failed or Cancelled; becomes the Fail state's Error and Cause. */
  failure?: { error: string; cause: string };
}

/** One update as a stage reports it: which, to what, how it ended, how long it took. */
export interface UpdateRecord {
  what: string;
  target: string;
  updateId: string | null;
  status: StepStatus;
  adopted: boolean;
  /** How long EKS ran it, once ended; null when skipped or not seen to end. */
  minutes: number | null;
}

/**
 * What one stage did, as its execution returns it to the upgrade: the control plane's and add-ons'
 * updates one by one, the node groups' counted, the first few listed (each roll's own execution has
 * its update ID): a hundred node groups must not fill the upgrade's payload.
 */
export interface StageResult {
  index: number;
  controlPlane: UpdateRecord | null;
  addons: UpdateRecord[];
  nodegroups: {
    rolled: number;
    /** Already where the step would move them (a rerun, or a person did it). */
    skipped: number;
    adopted: number;
    fastestMinutes: number | null;
    slowestMinutes: number | null;
    /** The first node groups' updates one by one (at most 10); the others are only counted. */
    updates: UpdateRecord[];
  };
}
