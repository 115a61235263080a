import { describe, expect, it } from 'vitest';
import type { TaskWrapper } from '../../local/harness/bind-tasks.ts';
import { LocalAws } from '../../local/harness/local-aws.ts';
import { type FaultName, loadScenario, type Scenario } from '../../local/simulator/index.ts';
import {
  clusterState,
  failTask,
  mutatingCalls,
  runWorkflow,
  scenarioWith,
  seedInput,
  updatesOf,
  updateTarget,
  type WorkflowRun,
} from './helpers.ts';

// One table, one workflow run per row: a fault AWS or Lambda can throw at an upgrade, and what the run
// must make of it. runWorkflow checks the invariants of every run (one minor per control-plane hop, the
// skew rule, no node group rolled beside a control-plane update, no step updated twice, no AWS error
// that the row's fault does not explain).

const seedCluster = 'ekscluster-eksctl';
const seedNodegroup = 'managednodegroup';

type Outcome =
  | { status: 'SUCCEEDED' }
  /** The execution succeeded by stopping at its deadline; `cause` is what the deferral names. */
  | { status: 'DEFERRED'; cause: string[] }
  /** `cause` lists what the execution's Cause must name: the resource, the version, what to do. */
  | { status: 'FAILED'; error: string; cause: string[] };

interface FaultRow {
  name: string;
  scenario?: string | Scenario;
  fault?: FaultName;
  input?: Record<string, unknown>;
  /** Built per run: a wrapper counts the invocations it failed. */
  wrapTask?: () => TaskWrapper;
  /** AWS error codes the custom faults of the row make AWS answer with. */
  expectedErrors?: string[];
  outcome: Outcome;
  /** What else the run must show, beyond its outcome and the invariants. */
  check?: (run: WorkflowRun) => void;
}

/** Updates of one resource started in the run, whoever started them. */
function updatesFor(run: WorkflowRun, target: string, cluster = seedCluster) {
  return updatesOf(run.aws, cluster).filter((update) => updateTarget(update) === target);
}

/** The seed's three planned steps each happened exactly once, and the cluster ended on 1.19. */
function seedUpgradedOnce(run: WorkflowRun): void {
  const updates = updatesOf(run.aws);
  expect(updates.map((update) => `${updateTarget(update)} ${update.status}`)).toEqual([
    'control plane Successful',
    'add-on kube-proxy Successful',
    `node group ${seedNodegroup} Successful`,
  ]);
  const cluster = clusterState(run.aws);
  expect(cluster.version).toBe('1.19');
  expect(cluster.nodegroups[0]?.version).toBe('1.19');
}

/** How many attempts of a task state failed with the given error name. */
function failedAttempts(run: WorkflowRun, state: string, error: string): number {
  return run.execution.tasks.filter((task) => task.state === state && task.error?.name === error).length;
}

const matrix: FaultRow[] = [
  {
    name: 'a deadline reached mid-run: the node group that would overrun is not started, the run is Deferred',
    input: {
      ...seedInput,
      deadline: new Date(Date.parse(loadScenario('seed').startTime) + 35 * 60_000).toISOString(),
    },
    outcome: { status: 'DEFERRED', cause: [`Node group ${seedNodegroup}`, 'would end after the deadline'] },
    check: (run) => {
      expect(updatesOf(run.aws).map((update) => updateTarget(update))).toEqual([
        'control plane',
        'add-on kube-proxy',
      ]);
      expect(clusterState(run.aws)).toMatchObject({ version: '1.19', nodegroups: [{ version: '1.18' }] });
    },
  },
  {
    name: 'a throttling storm on every API (EKS, Auto Scaling, SSM, SNS) outlasts the SDK retries',
    scenario: scenarioWith('seed', { type: 'throttling', service: 'all', afterRequests: 3, count: 15 }),
    expectedErrors: ['ThrottlingException', 'Throttling', 'Throttled'],
    outcome: { status: 'SUCCEEDED' },
    check: (run) => {
      seedUpgradedOnce(run);
      expect(run.aws.simulator.requestLog.filter((request) => request.errorCode).length).toBe(15);
      // Three SDK attempts per call, so some Lambda invocations failed and the state machine retried them.
      expect(run.execution.tasks.some((task) => task.error?.name === 'ThrottlingException')).toBe(true);
    },
  },
  {
    name: 'a long burst of EKS 5xx answers (rejected) is retried by the SDK and the state machine',
    scenario: scenarioWith('seed', {
      type: 'server-errors',
      service: 'eks',
      afterRequests: 5,
      count: 10,
      effect: 'rejected',
    }),
    expectedErrors: ['ServiceUnavailableException', 'ServerException'],
    outcome: { status: 'SUCCEEDED' },
    check: seedUpgradedOnce,
  },
  {
    name: 'UpdateClusterVersion applied but answered 5xx four times: the retries carry the same token, one update',
    scenario: scenarioWith('seed', {
      type: 'server-errors',
      service: 'eks',
      operation: 'UpdateClusterVersion',
      afterRequests: 0,
      count: 4,
      effect: 'applied',
    }),
    expectedErrors: ['ServiceUnavailableException', 'ServerException'],
    outcome: { status: 'SUCCEEDED' },
    check: (run) => {
      seedUpgradedOnce(run);
      const calls = mutatingCalls(run.aws).filter((call) => call.operation === 'UpdateClusterVersion');
      expect(calls.length).toBeGreaterThanOrEqual(5);
      expect(new Set(calls.map((call) => call.params.clientRequestToken)).size).toBe(1);
    },
  },
  {
    name: 'UpdateNodegroupVersion and UpdateAddon applied but answered 5xx: still one update each',
    scenario: scenarioWith(
      'seed',
      {
        type: 'server-errors',
        service: 'eks',
        operation: 'UpdateNodegroupVersion',
        afterRequests: 0,
        count: 4,
        effect: 'applied',
      },
      {
        type: 'server-errors',
        service: 'eks',
        operation: 'UpdateAddon',
        afterRequests: 0,
        count: 2,
        effect: 'applied',
      },
    ),
    expectedErrors: ['ServiceUnavailableException', 'ServerException'],
    outcome: { status: 'SUCCEEDED' },
    check: seedUpgradedOnce,
  },
  {
    name: 'Lambda.ServiceException on Update Control Plane, twice, before the code runs',
    wrapTask: () => failTask('Update Control Plane', 'Lambda.ServiceException', { times: 2 }),
    outcome: { status: 'SUCCEEDED' },
    check: (run) => {
      seedUpgradedOnce(run);
      expect(failedAttempts(run, 'Update Control Plane', 'Lambda.ServiceException')).toBe(2);
    },
  },
  {
    name: 'Lambda.TooManyRequestsException on Check Node Group Update and Plan Upgrade, twice each',
    wrapTask: () => {
      const check = failTask('Check Node Group Update', 'Lambda.TooManyRequestsException', { times: 2 });
      const plan = failTask('Plan Upgrade', 'Lambda.TooManyRequestsException', { times: 2 });
      return (state, run) => plan(state, check(state, run));
    },
    outcome: { status: 'SUCCEEDED' },
    check: (run) => {
      seedUpgradedOnce(run);
      expect(failedAttempts(run, 'Plan Upgrade', 'Lambda.TooManyRequestsException')).toBe(2);
      expect(failedAttempts(run, 'Check Node Group Update', 'Lambda.TooManyRequestsException')).toBe(2);
    },
  },
  {
    name: 'States.Timeout on Update Node Group after the update was sent: the retry gets the same update',
    wrapTask: () => failTask('Update Node Group', 'States.Timeout', { times: 2, when: 'after' }),
    outcome: { status: 'SUCCEEDED' },
    check: (run) => {
      seedUpgradedOnce(run);
      expect(failedAttempts(run, 'Update Node Group', 'States.Timeout')).toBe(2);
      const sent = mutatingCalls(run.aws).filter((call) => call.operation === 'UpdateNodegroupVersion');
      expect(sent).toHaveLength(3);
      expect(new Set(sent.map((call) => call.params.clientRequestToken)).size).toBe(1);
    },
  },
  {
    name: 'a crash between sending UpdateClusterVersion and recording its result (Lambda.Unknown once)',
    wrapTask: () => failTask('Update Control Plane', 'Lambda.Unknown', { when: 'after' }),
    outcome: { status: 'SUCCEEDED' },
    check: (run) => {
      seedUpgradedOnce(run);
      expect(updatesFor(run, 'control plane')).toHaveLength(1);
      // The retry sent the call again with the same token, and EKS answered with the first update.
      const sent = mutatingCalls(run.aws).filter((call) => call.operation === 'UpdateClusterVersion');
      expect(sent.map((call) => call.status)).toEqual([200, 200]);
      expect(sent[0]?.params.clientRequestToken).toBe(sent[1]?.params.clientRequestToken);
    },
  },
  {
    name: 'a control-plane update someone else started before the run is adopted',
    fault: 'update-in-progress',
    outcome: { status: 'SUCCEEDED' },
    check: (run) => {
      const [controlPlane, ...others] = updatesFor(run, 'control plane');
      expect(others).toEqual([]);
      expect(controlPlane?.startedBy).toBe('fault');
      const output = run.execution.tasks.find(
        (task) => task.state === 'Update Control Plane' && !task.error,
      )?.output;
      expect(output).toMatchObject({ adopted: true, updateId: controlPlane?.id });
      expect(clusterState(run.aws).nodegroups[0]?.version).toBe('1.19');
    },
  },
  {
    name: 'someone else starts the same control-plane update during the run, just before ours lands',
    scenario: scenarioWith('seed', {
      type: 'update-in-progress',
      cluster: seedCluster,
      beforeRequest: { operation: 'UpdateClusterVersion' },
    }),
    expectedErrors: ['ResourceInUseException'],
    outcome: { status: 'SUCCEEDED' },
    check: (run) => {
      const updates = updatesFor(run, 'control plane');
      expect(updates.map((update) => update.startedBy)).toEqual(['fault']);
      expect(updates[0]?.status).toBe('Successful');
      const output = run.execution.tasks.find(
        (task) => task.state === 'Update Control Plane' && !task.error,
      )?.output;
      expect(output).toMatchObject({ adopted: true, updateId: updates[0]?.id });
      expect(clusterState(run.aws).nodegroups[0]?.version).toBe('1.19');
    },
  },
  {
    name: 'someone else starts the second hop of a multi-hop run just before ours: adopted, the climb goes on',
    scenario: scenarioWith('multi-hop', {
      type: 'update-in-progress',
      cluster: 'legacy-cluster',
      beforeRequest: { operation: 'UpdateClusterVersion', occurrence: 2 },
    }),
    input: { clusterName: 'legacy-cluster', targetVersion: '1.30' },
    expectedErrors: ['ResourceInUseException'],
    outcome: { status: 'SUCCEEDED' },
    check: (run) => {
      const hops = updatesFor(run, 'control plane', 'legacy-cluster');
      expect(hops.map((update) => `${update.params[0]?.value} ${update.startedBy}`)).toEqual([
        '1.25 client',
        '1.26 fault',
        '1.27 client',
        '1.28 client',
        '1.29 client',
        '1.30 client',
      ]);
      expect(clusterState(run.aws, 'legacy-cluster').version).toBe('1.30');
    },
  },
  {
    name: 'new nodes never join: NodeCreationFailure names the node group, the old nodes stay',
    fault: 'node-creation-failure',
    outcome: {
      status: 'FAILED',
      error: 'NodeCreationFailure',
      cause: [`Node group ${seedNodegroup} of cluster ${seedCluster}`, 'IAM role'],
    },
    check: (run) => {
      const nodegroup = clusterState(run.aws).nodegroups[0];
      expect(nodegroup).toMatchObject({ version: '1.18', status: 'ACTIVE', instancesReplaced: 0 });
      expect(nodegroup?.instances).toHaveLength(3);
    },
  },
  {
    name: 'a pod disruption budget blocks eviction: PodEvictionFailure names the node group and the way out',
    fault: 'pdb-blocked',
    outcome: {
      status: 'FAILED',
      error: 'PodEvictionFailure',
      cause: [`Node group ${seedNodegroup} of cluster ${seedCluster}`, '"force": true'],
    },
    check: (run) => {
      expect(clusterState(run.aws).version).toBe('1.19');
      expect(clusterState(run.aws).nodegroups[0]?.version).toBe('1.18');
    },
  },
  {
    name: 'the same budget with force: true: evicted past it, completed',
    fault: 'pdb-blocked',
    input: { ...seedInput, force: true },
    outcome: { status: 'SUCCEEDED' },
    check: seedUpgradedOnce,
  },
  {
    name: 'the control-plane update ends Failed (IpNotAvailable): the run stops before anything else moves',
    scenario: scenarioWith('seed', {
      type: 'update-fails',
      cluster: seedCluster,
      afterMinutes: 10,
      errorCode: 'IpNotAvailable',
      errorMessage: 'The cluster subnets have too few free IP addresses.',
    }),
    outcome: {
      status: 'FAILED',
      error: 'IpNotAvailable',
      cause: [`Control plane of cluster ${seedCluster}`, 'to 1.19 ended Failed', 'too few free IP addresses'],
    },
    check: (run) => {
      expect(clusterState(run.aws).version).toBe('1.18');
      expect(mutatingCalls(run.aws).map((call) => call.operation)).toEqual(['UpdateClusterVersion']);
    },
  },
  {
    name: 'the control-plane update ends Cancelled with no error detail: UpdateCancelled',
    scenario: scenarioWith('seed', { type: 'update-fails', cluster: seedCluster, status: 'Cancelled' }),
    outcome: {
      status: 'FAILED',
      error: 'UpdateCancelled',
      cause: [`Control plane of cluster ${seedCluster}`, 'ended Cancelled'],
    },
    check: (run) => {
      expect(clusterState(run.aws).version).toBe('1.18');
      expect(mutatingCalls(run.aws).map((call) => call.operation)).toEqual(['UpdateClusterVersion']);
    },
  },
  {
    name: 'an add-on update ends Failed (ConfigurationConflict): named, node groups untouched',
    scenario: scenarioWith('seed', {
      type: 'update-fails',
      cluster: seedCluster,
      addon: 'kube-proxy',
      afterMinutes: 1,
      errorCode: 'ConfigurationConflict',
      errorMessage: 'Conflicts found when trying to apply. Will not continue due to resolve conflicts mode.',
    }),
    outcome: {
      status: 'FAILED',
      error: 'ConfigurationConflict',
      cause: [`Add-on kube-proxy of cluster ${seedCluster}`, 'PRESERVE'],
    },
    check: (run) => {
      expect(mutatingCalls(run.aws).map((call) => call.operation)).toEqual([
        'UpdateClusterVersion',
        'UpdateAddon',
      ]);
    },
  },
  {
    name: 'the cluster is deleted mid-run: UpdateCancelled names the control plane, no node group is touched',
    fault: 'cluster-deleted',
    outcome: {
      status: 'FAILED',
      error: 'UpdateCancelled',
      cause: [`Control plane of cluster ${seedCluster}`],
    },
    check: (run) => {
      const calls = mutatingCalls(run.aws).map((call) => call.operation);
      expect(calls).toEqual(['UpdateClusterVersion']);
    },
  },
  {
    name: 'insight errors for 1.29 (insight-blocked, default input): refused before the blocked hop',
    scenario: 'insight-blocked',
    input: { clusterName: 'blocked-cluster', targetVersion: '1.29' },
    outcome: {
      status: 'FAILED',
      error: 'InsightsBlockUpgradeError',
      cause: ['1.29', 'Deprecated APIs removed in Kubernetes v1.29', 'acceptInsightErrors'],
    },
    check: (run) => {
      const hops = mutatingCalls(run.aws).filter((call) => call.operation === 'UpdateClusterVersion');
      expect(hops.map((call) => call.params.version)).not.toContain('1.29');
      expect(clusterState(run.aws, 'blocked-cluster').version).not.toBe('1.29');
    },
  },
  {
    name: 'the same insight errors accepted (acceptInsightErrors: true): both hops go through',
    scenario: 'insight-blocked',
    input: { clusterName: 'blocked-cluster', targetVersion: '1.29', acceptInsightErrors: true },
    outcome: { status: 'SUCCEEDED' },
    check: (run) => {
      const cluster = clusterState(run.aws, 'blocked-cluster');
      expect(cluster.version).toBe('1.29');
      expect(cluster.nodegroups.map((nodegroup) => nodegroup.version)).toEqual(['1.29', '1.29']);
      const hop = mutatingCalls(run.aws).find(
        (call) => call.operation === 'UpdateClusterVersion' && call.params.version === '1.29',
      );
      // EKS refuses a hop its insights block unless forced; only the accepted input may force it.
      expect(hop?.params).toMatchObject({ force: true });
    },
  },
];

describe('fault matrix: what each fault does to an upgrade run', () => {
  it.each(matrix)('$name', async (row) => {
    await runWorkflow(
      {
        ...(row.scenario === undefined ? {} : { scenario: row.scenario }),
        ...(row.fault === undefined ? {} : { fault: row.fault }),
        input: row.input ?? seedInput,
        ...(row.wrapTask === undefined ? {} : { options: { wrapTask: row.wrapTask() } }),
        ...(row.expectedErrors === undefined ? {} : { expectedErrors: row.expectedErrors }),
      },
      (run) => {
        const { execution } = run;
        if (row.outcome.status === 'SUCCEEDED') {
          expect(execution, `${execution.error}: ${execution.cause}`).toMatchObject({ status: 'SUCCEEDED' });
          expect(execution.output).not.toHaveProperty('deferral');
        } else if (row.outcome.status === 'DEFERRED') {
          expect(execution).toMatchObject({
            status: 'SUCCEEDED',
            output: { deferral: { Error: 'UpgradeDeferredError' } },
          });
          const deferral = (execution.output as { deferral: { Cause: string } }).deferral;
          for (const part of row.outcome.cause) expect(deferral.Cause).toContain(part);
        } else {
          expect(execution).toMatchObject({ status: 'FAILED', error: row.outcome.error });
          for (const part of row.outcome.cause) expect(execution.cause).toContain(part);
        }
        row.check?.(run);
      },
    );
  });

  it('a malformed AMI-release message starts nothing and is reported with its reason', async () => {
    const scenario = loadScenario('ami-release');
    const aws = await LocalAws.start(scenario, { fleetClusters: 'refresh-cluster=ami' });
    try {
      const delivery = (Message: string) => ({ Records: [{ Sns: { MessageId: 'm-1', Message } }] });
      const garbled = await aws.invoke(
        'OnAmiReleaseFunction',
        delivery('{"releaseVersion": "1.32.12; rm -rf /"'),
      );
      const wrong = await aws.invoke(
        'OnAmiReleaseFunction',
        delivery(
          JSON.stringify({
            kubernetesVersion: '1.32',
            amiType: 'AL2023_x86_64_STANDARD',
            releaseVersion: 'newest',
          }),
        ),
      );
      expect(garbled.output).toMatchObject({
        started: [],
        rejected: [{ reason: 'the message is not JSON' }],
      });
      expect(wrong.output).toMatchObject({
        started: [],
        rejected: [{ reason: expect.stringContaining('releaseVersion') }],
      });
      expect(aws.simulator.requestLog.filter((request) => request.service === 'sfn')).toEqual([]);
      expect(aws.executionsSoFar()).toEqual([]);
    } finally {
      await aws.close();
    }
  });
});
