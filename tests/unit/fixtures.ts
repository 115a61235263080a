import { EKSServiceException } from '@aws-sdk/client-eks';
import { rollsOf } from '../../functions/plan-upgrade/build-plan.ts';
import type { NodegroupStep, PlannedNodegroup, UpgradePlan } from '../../functions/shared/types.ts';

/** An SDK error as the EKS client throws it, with the exception name the code matches on. */
export function eksError(name: string, message: string, status = 400): EKSServiceException {
  return new EKSServiceException({
    name,
    message,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

export const seedNodegroup: PlannedNodegroup = {
  name: 'managednodegroup',
  currentVersion: '1.18',
  releaseVersion: '1.18.9-20210208',
  amiType: 'AL2_x86_64',
  desiredSize: 3,
  maxUnavailable: 1,
  customAmi: false,
};

export const seedRotation: NodegroupStep = {
  name: 'managednodegroup',
  toVersion: '1.19',
  releaseVersion: null,
  launchTemplate: null,
  reason: 'final',
};

export const seedPlan: UpgradePlan = {
  clusterName: 'prod',
  executionName: 'run-1',
  stageNamePrefix: 'run-1',
  currentVersion: '1.18',
  targetVersion: '1.19',
  stages: [
    { index: 1, controlPlane: { from: '1.18', to: '1.19' }, addons: [], rolls: rollsOf([seedRotation]) },
  ],
  nodegroups: [seedNodegroup],
  addons: [],
  selfManagedAddons: [],
  insights: [],
  expected: { nodegroups: [{ name: 'managednodegroup', version: '1.19', releaseVersion: null }], addons: [] },
  notes: [],
  estimatedSeconds: 0,
  force: false,
  acceptInsightErrors: false,
  maxConcurrentNodegroups: 1,
  rollingUpdate: null,
  bake: null,
  approval: 'none',
  roleArn: null,
  dryRun: false,
  notify: true,
  summary: '',
  deadline: null,
  subjects: { start: 's', success: 's', failure: 'f', deferral: 'd', rollback: 'r', approval: 'a' },
};
