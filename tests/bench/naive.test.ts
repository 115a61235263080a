import { describe, expect, it } from 'vitest';
import {
  fixedWaits,
  isUpgradePlan,
  type NaivePlanInput,
  naivePlan,
  naivePlanRewriter,
  waitStates,
} from '../../bench/naive.ts';
import { upgradeDefinitions, upgradeFixedWaits } from '../../bench/workflow-runs.ts';
import { rollsOf } from '../../functions/plan-upgrade/build-plan.ts';
import { type NodegroupStep, nodegroupSteps, type PlannedNodegroup } from '../../functions/shared/types.ts';
import { checkInvariants } from '../../local/harness/invariants.ts';
import { LocalAws } from '../../local/harness/local-aws.ts';
import { loadScenario } from '../../local/simulator/index.ts';

const nodegroup = (name: string, currentVersion: string, customAmi = false): PlannedNodegroup => ({
  name,
  currentVersion,
  releaseVersion: customAmi ? 'ami-0abc' : `${currentVersion}.0-20240101`,
  amiType: customAmi ? 'CUSTOM' : 'AL2_x86_64',
  desiredSize: 3,
  maxUnavailable: 1,
  customAmi,
});

const step = (
  name: string,
  toVersion: string | null,
  releaseVersion: string | null,
  reason: NodegroupStep['reason'],
): NodegroupStep => ({ name, toVersion, releaseVersion, launchTemplate: null, reason });

/** 1.23 -> 1.26 with the fewest rotations: old-123 pre-rolls, then everyone at the end. */
const multiHop: NaivePlanInput = {
  nodegroups: [nodegroup('old-123', '1.23'), nodegroup('apps', '1.24'), nodegroup('gpu', '1.24', true)],
  stages: [
    { index: 0, controlPlane: null, addons: [], rolls: rollsOf([step('old-123', '1.24', null, 'skew')]) },
    { index: 1, controlPlane: { from: '1.24', to: '1.25' }, addons: [], rolls: [] },
    {
      index: 2,
      controlPlane: { from: '1.25', to: '1.26' },
      addons: [{ name: 'kube-proxy', from: 'v1.25', to: 'v1.26', clusterVersion: '1.26' }],
      rolls: rollsOf([
        step('old-123', '1.26', '1.26.15-20250403', 'final'),
        step('apps', '1.26', '1.26.15-20250403', 'final'),
        { ...step('gpu', null, null, 'launch-template'), launchTemplate: { id: 'lt-1', version: '8' } },
      ]),
    },
  ],
  expected: {
    nodegroups: [
      { name: 'old-123', version: '1.26', releaseVersion: '1.26.15-20250403' },
      { name: 'apps', version: '1.26', releaseVersion: '1.26.15-20250403' },
      { name: 'gpu', version: null, releaseVersion: null },
    ],
    addons: [],
  },
  maxConcurrentNodegroups: 4,
};

describe('naivePlan', () => {
  it('rolls every node group at every hop, one at a time, ending on the planned releases', () => {
    const naive = naivePlan(multiHop);
    const moves = naive.stages.map((stage) =>
      nodegroupSteps(stage).map(
        (move) => `${move.name} ${move.toVersion ?? 'template'} ${move.releaseVersion ?? '-'}`,
      ),
    );
    expect(moves).toEqual([
      ['old-123 1.24 -'],
      ['old-123 1.25 -', 'apps 1.25 -'],
      ['old-123 1.26 1.26.15-20250403', 'apps 1.26 1.26.15-20250403', 'gpu template -'],
    ]);
    expect(naive.maxConcurrentNodegroups).toBe(1);
  });

  it('keeps control-plane hops and add-ons as planned', () => {
    const naive = naivePlan(multiHop);
    expect(naive.stages.map((stage) => stage.controlPlane)).toEqual(
      multiHop.stages.map((stage) => stage.controlPlane),
    );
    expect(naive.stages.map((stage) => stage.addons)).toEqual(multiHop.stages.map((stage) => stage.addons));
    expect(naive.expected).toEqual(multiHop.expected);
  });

  it('rolls every node group in an AMI refresh, each onto the release it should end on', () => {
    const refresh: NaivePlanInput = {
      nodegroups: [nodegroup('system', '1.32'), nodegroup('apps', '1.32')],
      stages: [
        {
          index: 0,
          controlPlane: null,
          addons: [],
          rolls: rollsOf([step('apps', '1.32', '1.32.11-20261104', 'ami-refresh')]),
        },
      ],
      expected: {
        nodegroups: [
          { name: 'system', version: '1.32', releaseVersion: '1.32.11-20261104' },
          { name: 'apps', version: '1.32', releaseVersion: '1.32.11-20261104' },
        ],
        addons: [],
      },
      maxConcurrentNodegroups: 1,
    };
    expect(naivePlan(refresh).stages[0]?.rolls).toEqual(
      rollsOf([
        step('system', '1.32', '1.32.11-20261104', 'ami-refresh'),
        step('apps', '1.32', '1.32.11-20261104', 'ami-refresh'),
      ]),
    );
  });
});

describe('waitStates and fixedWaits', () => {
  it('finds Wait states nested in Map and Parallel states', () => {
    const definition = {
      States: {
        Pause: { Type: 'Wait', Seconds: 5 },
        Loop: {
          Type: 'Map',
          ItemProcessor: {
            States: { 'Wait For It': { Type: 'Wait', SecondsPath: '$.s' }, Go: { Type: 'Pass' } },
          },
        },
        Both: { Type: 'Parallel', Branches: [{ States: { 'Branch Wait': { Type: 'Wait', Seconds: 1 } } }] },
      },
    };
    expect(waitStates(definition)).toEqual(['Pause', 'Wait For It', 'Branch Wait']);
    expect(fixedWaits(definition)).toEqual({ Pause: 30, 'Wait For It': 30, 'Branch Wait': 30 });
  });

  it('covers every Wait state of the upgrade state machine and its stage and roll parts', () => {
    const waits = upgradeDefinitions().flatMap((definition) => waitStates(definition));
    expect(waits).toEqual(
      expect.arrayContaining(['Wait For Control Plane', 'Wait For Add-on', 'Wait For Node Group']),
    );
  });
});

describe('naivePlanRewriter', () => {
  it('rewrites only what Plan Upgrade returns, and hands over the original', async () => {
    let kept: unknown;
    const wrap = naivePlanRewriter((original) => {
      kept = original;
    });
    const plan = JSON.parse(JSON.stringify(multiHop));
    const planned = await wrap('Plan Upgrade', async () => plan)({});
    expect(isUpgradePlan(planned) && planned.maxConcurrentNodegroups).toBe(1);
    expect(kept).toEqual(multiHop);
    expect(await wrap('Verify Cluster', async () => plan)({})).toBe(plan);
  });
});

describe('the naive baseline on the simulator', () => {
  it('runs a two-hop upgrade to SUCCEEDED, rolling the node group at each hop', async () => {
    const scenario = loadScenario('seed');
    const input = { clusterName: 'ekscluster-eksctl', targetVersion: '1.20', maxConcurrentNodegroups: 1 };
    const aws = await LocalAws.start(scenario);
    try {
      const before = aws.simulator.snapshot();
      const execution = await aws.execute(input, {
        executionName: 'bench-naive-test',
        waitSecondsOverrides: upgradeFixedWaits(),
        wrapTask: naivePlanRewriter(),
      });
      expect(execution.status).toBe('SUCCEEDED');
      const after = aws.simulator.snapshot();
      const cluster = after.clusters.find((candidate) => candidate.name === input.clusterName);
      const rolls = cluster?.updates.filter((update) => update.nodegroupName) ?? [];
      expect(rolls.map((update) => update.params.find((param) => param.type === 'Version')?.value)).toEqual([
        '1.19',
        '1.20',
      ]);
      expect(cluster?.version).toBe('1.20');
      expect(cluster?.nodegroups[0]?.version).toBe('1.20');
      // Every wait was the fixed 30 s: checks fall on 30-second marks of the simulated clock.
      const checks = execution.tasks.filter((task) => task.state.startsWith('Check'));
      expect(checks.every((task) => (task.startedAt - execution.startedAt) % 30_000 === 0)).toBe(true);
      expect(
        checkInvariants({
          clusterName: input.clusterName,
          before,
          after,
          requestLog: aws.simulator.requestLog,
          dryRun: false,
          maxConcurrentNodegroups: 1,
          expectedErrors: [],
        }),
      ).toEqual([]);
    } finally {
      await aws.close();
    }
  });
});
