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
}

/** One rolling update of one node group. */
export interface NodegroupStep {
  name: string;
  /** Kubernetes version it rolls to; null for a launch-template-only move (custom AMI). */
  toVersion: string | null;
  /** AMI release it rolls onto; null lets EKS take the newest for the version. */
  releaseVersion: string | null;
  /** Set for a custom-AMI node group moved to a launch template version the input named. */
  launchTemplate?: LaunchTemplateRef;
  reason: 'skew' | 'final' | 'ami-refresh' | 'launch-template';
  desiredSize: number;
  maxUnavailable: number;
}

/** One update of one managed add-on, to a version compatible with the control plane at that stage. */
export interface AddonStep {
  name: string;
  from: string;
  to: string;
}

/**
 * One stage of the run: the control plane's hop (none in stage 0), then the add-ons that the new
 * version needs moved, then the node groups due at this point.
 */
export interface PlanStage {
  index: number;
  controlPlane: { from: string; to: string } | null;
  addons: AddonStep[];
  nodegroups: NodegroupStep[];
}

export interface PlanInsight {
  id: string;
  name: string;
  kubernetesVersion: string;
  status: string;
  reason: string;
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
  };
  /** Things a person should know that change nothing (custom AMIs, versions past support...). */
  notes: string[];
  estimatedSeconds: number;
  /** No step starts that cannot end before this time (ISO); null for none. */
  deadline: string | null;
  force: boolean;
  acceptInsightErrors: boolean;
  maxConcurrentNodegroups: number;
  dryRun: boolean;
  notify: boolean;
  /** A few lines a person reads in the notification and the dry-run output. */
  summary: string;
  /** SNS subjects (at most 100 characters, one line) for the start, success and failure messages. */
  subjects: { start: string; success: string; failure: string; deferral: string };
}

export type UpdateKind = 'controlPlane' | 'nodegroup' | 'addon';

export type StepStatus = 'InProgress' | 'Successful' | 'Failed' | 'Cancelled' | 'Skipped';

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
  /** A long-but-normal duration of this update (about AWS's p90), for deadlines; polling does not aim at it. */
  expectedSeconds: number;
  nextWaitSeconds: number;
  /** A node group's nodes when its update began and its batch size (maxUnavailable): the pace of its progress. */
  rollout?: { nodes: number; batchSize: number };
  /** Rolling progress of a node group: instances on the new launch template version / total. */
  progress?: { updated: number; total: number };
  /** When EKS created the update, and when a check first saw it end (ISO): its duration for people. */
  startedAt?: string;
  finishedAt?: string;
  /** Why a step was skipped, when it was. */
  note?: string;
  /** Present when status is Failed or Cancelled; becomes the Fail state's Error and Cause. */
  failure?: { error: string; cause: string };
}
