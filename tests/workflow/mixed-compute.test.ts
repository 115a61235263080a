import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../local/simulator/index.ts';
import { parseScenario } from '../../local/simulator/scenario.ts';
import { clusterState, mutatingCalls, runWorkflow } from './helpers.ts';

// EKS-FACTS 7.4: the managed node group API sees only managed groups; EKS's Kubelet version skew
// insight sees every node. The mixed-compute cluster (1.29) has one managed group, a Fargate
// profile with a pod started on 1.29, and two self-managed nodes on 1.29: the 1.33 hop would put
// the self-managed nodes and the Fargate pod four minors behind.

const scenario = 'mixed-compute';
const input = { clusterName: 'mixed-cluster', targetVersion: '1.33' };

describe('compute outside managed node groups', () => {
  it('refuses a target past the skew of self-managed nodes before any change, naming them and what to do', async () => {
    await runWorkflow({ scenario, input }, ({ execution, aws }) => {
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe('UnmanagedSkewError');
      expect(execution.cause).toContain(
        'at 1.33: ip-10-0-7-21.ec2.internal, ip-10-0-7-22.ec2.internal (self-managed, Karpenter or hybrid nodes: roll them yourself)',
      );
      expect(execution.cause).toContain('fargate-ip-10-0-9-5.ec2.internal (Fargate pods');
      expect(execution.cause).toContain('The highest target they allow is 1.32');
      // The managed group is the plan's to roll: not named as left behind.
      expect(execution.cause).not.toMatch(/i-[0-9a-f]+\./);
      expect(mutatingCalls(aws)).toEqual([]);
    });
  });

  it('a target the skew allows goes ahead, and says the Fargate pods are left to restart', async () => {
    await runWorkflow({ scenario, input: { ...input, targetVersion: '1.32' } }, ({ execution }) => {
      expect(execution.status, execution.cause).toBe('SUCCEEDED');
      const report = (execution.output as { verification?: { report?: string } }).verification?.report;
      expect(report).toContain('Left to you: Fargate pods of profile batch-jobs (jobs)');
    });
  });

  it('with acceptUnmanagedSkew, upgrades to 1.33 and the summary says what was left to the user', async () => {
    await runWorkflow({ scenario, input: { ...input, acceptUnmanagedSkew: true } }, ({ execution, aws }) => {
      expect(execution.status, execution.cause).toBe('SUCCEEDED');
      const cluster = clusterState(aws, 'mixed-cluster');
      expect(cluster.version).toBe('1.33');
      expect(cluster.nodegroups.map((ng) => `${ng.name} ${ng.version}`)).toEqual(['apps 1.33']);
      const output = execution.output as { summary?: string; verification?: { report?: string } };
      for (const text of [output.summary, output.verification?.report]) {
        expect(text).toContain(
          'Left to you: nodes outside managed node groups, behind the kubelet skew rule at 1.33: ip-10-0-7-21.ec2.internal, ip-10-0-7-22.ec2.internal',
        );
      }
    });
  });
});

/** The scenario as a plan would find it a day after EKS's last refresh: the 1.33 finding still PASSING. */
function withStaleSkewInsight() {
  const base = loadScenario(scenario);
  const clusters = base.clusters.map((cluster) => ({
    ...cluster,
    insights: cluster.insights.map((insight) =>
      insight.kubernetesVersion === '1.33'
        ? { ...insight, status: 'PASSING' as const, reason: 'stale' }
        : insight,
    ),
  }));
  return parseScenario({ ...base, clusters }, `${scenario} with a stale insight`);
}

describe('nodes outside managed node groups seen only before the hop', () => {
  it('stops before the hop the refreshed finding refuses: the control plane stays where it is', async () => {
    await runWorkflow({ scenario: withStaleSkewInsight(), input }, ({ execution, aws }) => {
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe('UnmanagedSkewError');
      expect(execution.cause).toContain('ip-10-0-7-21.ec2.internal');
      expect(execution.cause).toContain('The cluster stays on 1.32');
      expect(clusterState(aws, 'mixed-cluster').version).toBe('1.32');
      const hops = aws.simulator.requestLog.filter((request) => request.operation === 'UpdateClusterVersion');
      expect(hops.map((request) => request.params.version)).toEqual(['1.30', '1.31', '1.32']);
    });
  });
});

describe('an EKS Auto Mode cluster', () => {
  it("moves the control plane only: core add-ons and nodes are EKS's, neither moved nor listed as the user's", async () => {
    const auto = { clusterName: 'auto-cluster', targetVersion: '1.33' };
    await runWorkflow({ scenario, input: auto }, ({ execution, aws }) => {
      expect(execution.status, execution.cause).toBe('SUCCEEDED');
      const output = execution.output as { summary?: string; selfManagedAddons?: string[] };
      expect(output.selfManagedAddons).toEqual([]);
      expect(output.summary).toContain('EKS Auto Mode: EKS manages');
      expect(mutatingCalls(aws).map((request) => request.operation)).toEqual(['UpdateClusterVersion']);
      expect(clusterState(aws, 'auto-cluster').version).toBe('1.33');
    });
  });
});
