import { describe, expect, it } from 'vitest';
import type { TaskWrapper } from '../../local/harness/bind-tasks.ts';
import { loadScenario } from '../../local/simulator/index.ts';
import { parseScenario } from '../../local/simulator/scenario.ts';
import { clusterState, failTask, mutatingCalls, runWorkflow, scenarioWith } from './helpers.ts';

// EKS-FACTS 7.2: no AL2 AMI past 1.32 and no amiType change in place. The al2-to-al2023 scenario's
// two AL2 groups are replaced by AL2023 groups of the same configuration when the control plane is
// on 1.32, and the old groups deleted once the new ones are ACTIVE; the run then goes on to 1.34.

const scenario = 'al2-to-al2023';
const clusterName = 'legacy-al2-cluster';
const input = loadScenario(scenario).defaultInput as Record<string, unknown>;
const withoutReplacement = { clusterName, targetVersion: '1.34' };

/** The scenario with web-al2 made from a customer launch template (no AMI in it) whose user data is this. */
function withLaunchTemplate(userData: string, versions: Record<string, { userData: string }> = {}) {
  const base = loadScenario(scenario);
  const clusters = base.clusters.map((cluster) => ({
    ...cluster,
    nodegroups: cluster.nodegroups.map((ng) =>
      ng.name === 'web-al2'
        ? {
            ...ng,
            customLaunchTemplate: {
              name: 'web-nodes',
              id: 'lt-0a1b2c3d4e5f60718',
              version: 4,
              userData,
              ...(Object.keys(versions).length > 0 ? { versions: { '4': { userData }, ...versions } } : {}),
            },
          }
        : ng,
    ),
  }));
  return parseScenario({ ...base, clusters }, `${scenario} with a launch template`);
}

const al2UserData = [
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="//"',
  '',
  '--//',
  'Content-Type: text/x-shellscript; charset="us-ascii"',
  '',
  '#!/bin/bash',
  '/etc/eks/bootstrap.sh legacy-al2-cluster --kubelet-extra-args --max-pods=58',
  '--//--',
].join('\n');

const nodeadmUserData = [
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="//"',
  '',
  '--//',
  'Content-Type: application/node.eks.aws',
  '',
  'apiVersion: node.eks.aws/v1alpha1',
  'kind: NodeConfig',
  'spec:',
  '  kubelet:',
  '    config:',
  '      maxPods: 58',
  '--//--',
].join('\n');

describe('replacing AL2 node groups (replaceAl2)', () => {
  it('ends on 1.34 with each AL2 group replaced by an AL2023 group of its configuration, the old one deleted after', async () => {
    await runWorkflow({ scenario, input }, async ({ execution, aws }) => {
      expect(execution.status, execution.cause).toBe('SUCCEEDED');
      const cluster = clusterState(aws, clusterName);
      expect(cluster.version).toBe('1.34');
      expect(
        cluster.nodegroups.map((ng) => `${ng.name} ${ng.amiType} ${ng.version} ${ng.status}`).sort(),
      ).toEqual([
        'batch-al2-al2023 AL2023_x86_64_STANDARD 1.34 ACTIVE',
        'system AL2023_x86_64_STANDARD 1.34 ACTIVE',
        'web-al2-al2023 AL2023_x86_64_STANDARD 1.34 ACTIVE',
      ]);
      const log = aws.simulator.requestLog;
      const creates = log.filter(
        (request) => request.operation === 'CreateNodegroup' && request.status < 300,
      );
      const deletes = log.filter(
        (request) => request.operation === 'DeleteNodegroup' && request.status < 300,
      );
      expect(creates.map((request) => request.params.nodegroupName).sort()).toEqual([
        'batch-al2-al2023',
        'web-al2-al2023',
      ]);
      expect(deletes.map((request) => request.params.nodegroupName).sort()).toEqual(['batch-al2', 'web-al2']);
      // The configuration carried over, as the request shows it.
      const web = creates.find((request) => request.params.nodegroupName === 'web-al2-al2023')?.params;
      expect(web).toMatchObject({
        amiType: 'AL2023_x86_64_STANDARD',
        version: '1.32',
        nodeRole: 'arn:aws:iam::123456789012:role/eks-node-role',
        scalingConfig: { minSize: 2, maxSize: 6, desiredSize: 3 },
        instanceTypes: ['m5.large'],
        capacityType: 'ON_DEMAND',
        labels: { 'alpha.eksctl.io/nodegroup-name': 'web-al2' },
        tags: { 'eks-upgrade/replaces': 'web-al2' },
      });
      const batch = creates.find((request) => request.params.nodegroupName === 'batch-al2-al2023')?.params;
      expect(batch).toMatchObject({ capacityType: 'SPOT', scalingConfig: { desiredSize: 2 } });
      // Created when the control plane was on 1.32, before the hop past it.
      const hops = log.filter(
        (request) => request.operation === 'UpdateClusterVersion' && request.status < 300,
      );
      const hopTo133 = hops.find((request) => request.params.version === '1.33');
      for (const request of [...creates, ...deletes]) expect(request.at).toBeLessThan(hopTo133?.at ?? 0);
      expect(
        String((execution.output as { verification?: { report?: string } }).verification?.report),
      ).toContain('Replaced by node groups of another AMI type, and deleted: web-al2, batch-al2.');
    });
  });

  it('deletes an old group only once its replacement is ACTIVE with as many nodes', async () => {
    const seen: string[] = [];
    let aws: Parameters<Parameters<typeof runWorkflow>[1]>[0]['aws'] | undefined;
    const wrapTask: TaskWrapper = (state, run) =>
      state !== 'Replace Node Group'
        ? run
        : async (taskInput) => {
            const before = aws?.simulator.requestLog.length ?? 0;
            const output = await run(taskInput);
            const sent = aws?.simulator.requestLog.slice(before) ?? [];
            for (const request of sent.filter((r) => r.operation === 'DeleteNodegroup' && r.status < 300)) {
              const cluster = aws ? clusterState(aws, clusterName) : undefined;
              const old = cluster?.nodegroups.find((ng) => ng.name === request.params.nodegroupName);
              const replacement = cluster?.nodegroups.find(
                (ng) => ng.name === `${String(request.params.nodegroupName)}-al2023`,
              );
              const ready =
                replacement?.instances.filter((i) => i.lifecycleState === 'InService').length ?? 0;
              seen.push(
                `${String(request.params.nodegroupName)}: ${replacement?.status} ${ready >= (old?.instances.length ?? 99) ? 'enough' : 'too few'}`,
              );
            }
            return output;
          };
    await runWorkflow(
      {
        scenario,
        input,
        options: { wrapTask },
        before: async (local) => {
          aws = local;
        },
      },
      ({ execution }) => {
        expect(execution.status, execution.cause).toBe('SUCCEEDED');
      },
    );
    expect(seen.sort()).toEqual(['batch-al2: ACTIVE enough', 'web-al2: ACTIVE enough']);
  });

  it('without replaceAl2, refuses before any change, naming the groups and the input that would migrate them', async () => {
    await runWorkflow({ scenario, input: withoutReplacement }, ({ execution, aws }) => {
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe('UnsupportedTargetError');
      expect(execution.cause).toContain('web-al2, batch-al2 (AL2_x86_64) cannot go past Kubernetes 1.32');
      expect(execution.cause).toContain('"replaceAl2": { "amiType": "AL2023_x86_64_STANDARD" }');
      expect(mutatingCalls(aws)).toEqual([]);
    });
  });

  it('dry run: the plan shows each replacement and deletion, and nothing is sent', async () => {
    await runWorkflow({ scenario, input: { ...input, dryRun: true } }, ({ execution, aws }) => {
      expect(execution.status).toBe('SUCCEEDED');
      const summary = String((execution.output as { summary?: string }).summary);
      expect(summary).toContain(
        'REPLACE node group web-al2 by web-al2-al2023 (AL2023_x86_64_STANDARD, 1.32), then DELETE web-al2',
      );
      expect(summary).toContain('REPLACE node group batch-al2 by batch-al2-al2023');
      expect(mutatingCalls(aws)).toEqual([]);
    });
  });

  it('refuses before any change when the stack may not pass the node role (NodeRoleArns)', async () => {
    await runWorkflow({ scenario, input, deployment: { nodeRoleArns: '' } }, ({ execution, aws }) => {
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe('ReplacementRefusedError');
      expect(execution.cause).toContain('arn:aws:iam::123456789012:role/eks-node-role');
      expect(execution.cause).toContain('NodeRoleArns');
      expect(mutatingCalls(aws)).toEqual([]);
    });
  });

  it('refuses an AMI type of another architecture than the group, before any change', async () => {
    const arm = { ...input, replaceAl2: { amiType: 'AL2023_ARM_64_STANDARD' } };
    await runWorkflow({ scenario, input: arm }, ({ execution, aws }) => {
      expect(execution.error).toBe('InvalidInputError');
      expect(execution.cause).toContain('another architecture');
      expect(mutatingCalls(aws)).toEqual([]);
    });
  });

  it('a lost answer to the create is retried with the same token: one replacement, no error', async () => {
    const wrapTask = failTask('Replace Node Group', 'Lambda.Unknown', { when: 'after' });
    await runWorkflow({ scenario, input, options: { wrapTask } }, ({ execution, aws }) => {
      expect(execution.status, execution.cause).toBe('SUCCEEDED');
      expect(
        clusterState(aws, clusterName)
          .nodegroups.map((ng) => ng.name)
          .sort(),
      ).toEqual(['batch-al2-al2023', 'system', 'web-al2-al2023']);
    });
  });

  it('a pod disruption budget that holds the old nodes slows the deletion; EKS deletes them anyway after its timeout', async () => {
    const held = scenarioWith(scenario, { type: 'pdb-blocked', cluster: clusterName, nodegroup: 'web-al2' });
    // How long each old group took to go: from its DeleteNodegroup to the first "no such node group".
    const deletionSeconds = (
      log: readonly { operation: string; params: Record<string, unknown>; at: number; errorCode?: string }[],
      name: string,
    ) => {
      const sent = log.find((r) => r.operation === 'DeleteNodegroup' && r.params.nodegroupName === name);
      const gone = log.find(
        (r) =>
          r.operation === 'DescribeNodegroup' &&
          r.params.nodegroupName === name &&
          r.errorCode === 'ResourceNotFoundException' &&
          r.at > (sent?.at ?? 0),
      );
      return ((gone?.at ?? 0) - (sent?.at ?? 0)) / 1000;
    };
    const unheld = await runWorkflow({ scenario, input }, ({ aws }) =>
      deletionSeconds(aws.simulator.requestLog, 'web-al2'),
    );
    await runWorkflow({ scenario: held, input }, ({ execution, aws }) => {
      expect(execution.status, execution.cause).toBe('SUCCEEDED');
      expect(clusterState(aws, clusterName).nodegroups.some((ng) => ng.name === 'web-al2')).toBe(false);
      expect(deletionSeconds(aws.simulator.requestLog, 'web-al2')).toBeGreaterThan(unheld);
    });
  });

  it('refuses a replacement name that is another group of the cluster, before any change', async () => {
    const sameName = { ...input, replaceAl2: { namePattern: '{name}' } };
    await runWorkflow({ scenario, input: sameName }, ({ execution, aws }) => {
      expect(execution.error).toBe('ReplacementRefusedError');
      expect(execution.cause).toContain('is another group of the cluster');
      expect(mutatingCalls(aws)).toEqual([]);
    });
  });

  it('refuses, before any change, a launch template whose user data is written for AL2', async () => {
    await runWorkflow({ scenario: withLaunchTemplate(al2UserData), input }, ({ execution, aws }) => {
      expect(execution.error).toBe('ReplacementRefusedError');
      expect(execution.cause).toContain(
        'launch template web-nodes version 4 has user data that calls /etc/eks/bootstrap.sh',
      );
      expect(mutatingCalls(aws)).toEqual([]);
    });
  });

  it('keeps a launch template whose user data is a nodeadm NodeConfig: the replacement takes it', async () => {
    await runWorkflow({ scenario: withLaunchTemplate(nodeadmUserData), input }, ({ execution, aws }) => {
      expect(execution.status, execution.cause).toBe('SUCCEEDED');
      const create = aws.simulator.requestLog.find(
        (request) =>
          request.operation === 'CreateNodegroup' && request.params.nodegroupName === 'web-al2-al2023',
      );
      expect(create?.params.launchTemplate).toEqual({ id: 'lt-0a1b2c3d4e5f60718', version: '4' });
      expect(create?.params).not.toHaveProperty('diskSize');
    });
  });

  it('keeps shell-only user data (EKS adds its own bootstrap; nodeadm runs the shell parts)', async () => {
    const shellOnly = al2UserData.replace(
      '/etc/eks/bootstrap.sh legacy-al2-cluster --kubelet-extra-args --max-pods=58',
      'sysctl -w vm.max_map_count=262144',
    );
    await runWorkflow({ scenario: withLaunchTemplate(shellOnly), input }, ({ execution }) => {
      expect(execution.status, execution.cause).toBe('SUCCEEDED');
    });
  });

  it('lets the replacement take another launch template version (replaceAl2.launchTemplateVersions), the old group keeping its own', async () => {
    const scenarioWithV5 = withLaunchTemplate(al2UserData, { '5': { userData: nodeadmUserData } });
    const named = {
      ...input,
      replaceAl2: { ...(input.replaceAl2 as object), launchTemplateVersions: { 'web-al2': '5' } },
    };
    await runWorkflow({ scenario: scenarioWithV5, input: named }, ({ execution, aws }) => {
      expect(execution.status, execution.cause).toBe('SUCCEEDED');
      const create = aws.simulator.requestLog.find(
        (request) =>
          request.operation === 'CreateNodegroup' && request.params.nodegroupName === 'web-al2-al2023',
      );
      expect(create?.params.launchTemplate).toEqual({ id: 'lt-0a1b2c3d4e5f60718', version: '5' });
      expect(
        aws.simulator.requestLog.some(
          (request) =>
            request.operation === 'UpdateNodegroupVersion' && request.params.nodegroupName === 'web-al2',
        ),
      ).toBe(false);
    });
  });
});
