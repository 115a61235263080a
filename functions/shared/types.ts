/** The shapes passed between states of statemachine/upgrade-cluster.asl.json. */

export interface LaunchTemplateRef {
  id?: string;
  name?: string;
  version?: string;
}

export interface PlannedNodegroup {
  name: string;
  currentVersion: string;
  releaseVersion: string;
  launchTemplate?: LaunchTemplateRef;
  /** Node count, to predict how long the rolling update takes. */
  desiredSize: number;
  /** Nodes EKS drains at once during the rolling update. */
  maxUnavailable: number;
  /** Whether the plan expects this node group to change (the update step checks again). */
  moves: boolean;
}

export interface UpgradePlan {
  clusterName: string;
  executionName: string;
  currentVersion: string;
  targetVersion: string;
  controlPlane: { moves: boolean; from: string; to: string };
  nodegroups: PlannedNodegroup[];
  /** The AMI release every node group ends on; null for the recommended release of the target. */
  releaseVersion: string | null;
  force: boolean;
  maxConcurrentNodegroups: number;
  dryRun: boolean;
  notify: boolean;
  /** A few lines a person reads in the notification and the dry-run output. */
  summary: string;
  /** SNS subjects (at most 100 characters, one line) for the start, success and failure messages. */
  subjects: { start: string; success: string; failure: string };
}

export type UpdateKind = 'controlPlane' | 'nodegroup';

export type StepStatus = 'InProgress' | 'Successful' | 'Failed' | 'Cancelled' | 'Skipped';

/** What an update step and each check of it return; the next check takes it as input. */
export interface UpdateProgress {
  kind: UpdateKind;
  clusterName: string;
  nodegroupName?: string;
  target: string;
  updateId: string | null;
  status: StepStatus;
  /** True when the update was started by someone else and this run follows it. */
  adopted: boolean;
  /** The typical duration of this update, which sets the polling rhythm. */
  expectedSeconds: number;
  nextWaitSeconds: number;
  /** Rolling progress of a node group: instances on the new launch template version / total. */
  progress?: { updated: number; total: number };
  /** Why a step was skipped, when it was. */
  note?: string;
  /** Present when status is Failed or Cancelled; becomes the Fail state's Error and Cause. */
  failure?: { error: string; cause: string };
}
