import { describe, expect, it } from 'vitest';
import { loadScenario, type Scenario } from '../../local/simulator/index.ts';
import { clusterState, mutatingCalls, runWorkflow } from './helpers.ts';

// A cluster in another account: every call for it is made as a role assumed there (STS AssumeRole),
// which the template's AssumableRoleArns must list.

const other = '210987654321';
const roleArn = `arn:aws:iam::${other}:role/eks-upgrade-access`;
const input = { clusterName: 'ekscluster-eksctl', targetVersion: '1.19', roleArn };

function inOtherAccount(): Scenario {
  const scenario = loadScenario('seed');
  scenario.roles = [{ arn: roleArn, trusts: ['123456789012'] }];
  for (const cluster of scenario.clusters) cluster.accountId = other;
  return scenario;
}

describe('a cluster in another account', () => {
  it('is upgraded with credentials of the role assumed there, every EKS and Auto Scaling call made as it', async () => {
    await runWorkflow(
      { scenario: inOtherAccount(), input, deployment: { assumableRoleArns: roleArn } },
      ({ execution, aws }) => {
        expect(execution.status).toBe('SUCCEEDED');
        expect(clusterState(aws).version).toBe('1.19');
        const calls = aws.simulator.requestLog.filter(
          (request) => request.service === 'eks' || request.service === 'autoscaling',
        );
        expect(calls.filter((request) => request.service === 'autoscaling').length).toBeGreaterThan(0);
        const session = `arn:aws:sts::${other}:assumed-role/eks-upgrade-access/eks-upgrade`;
        expect(calls.every((request) => request.caller === session)).toBe(true);
        expect(mutatingCalls(aws).filter((request) => request.service === 'eks').length).toBeGreaterThan(0);
      },
    );
  });

  it('is refused before any change when the stack may not assume the role (AssumableRoleArns)', async () => {
    await runWorkflow(
      { scenario: inOtherAccount(), input, expectedErrors: ['AccessDenied'] },
      ({ execution, aws }) => {
        expect(execution.status).toBe('FAILED');
        expect(`${execution.error} ${execution.cause}`).toContain('AccessDenied');
        expect(execution.cause).toContain('sts:AssumeRole');
        expect(mutatingCalls(aws)).toEqual([]);
      },
    );
  });

  it("cannot be reached with the stack's own credentials: it is not in this account", async () => {
    const { roleArn: _role, ...ownAccount } = input;
    await runWorkflow(
      { scenario: inOtherAccount(), input: ownAccount, expectedErrors: ['ResourceNotFoundException'] },
      ({ execution }) => {
        expect(execution.error).toBe('ClusterNotFoundError');
      },
    );
  });
});
