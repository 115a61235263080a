import { describe, expect, it } from 'vitest';
import { readTemplate, type Template } from '../../scripts/template.ts';
import { runWorkflow, seedInput } from './helpers.ts';

interface PolicyStatement {
  Sid?: string;
  Action: string | string[];
  Resource: unknown;
}

/** template.yaml with one role's policy statements edited, as a mistaken change would. */
function withStatements(logicalId: string, edit: (statement: PolicyStatement) => PolicyStatement): Template {
  const template = readTemplate();
  const policies = (template.Resources[logicalId]?.Properties?.Policies ?? []) as Array<{
    Statement: PolicyStatement[];
  }>;
  // The conditional assume-role policy (Fn::If) has no Statement of its own at this level.
  for (const policy of policies) if (policy.Statement) policy.Statement = policy.Statement.map(edit);
  return template;
}

const withoutAction = (logicalId: string, action: string) =>
  withStatements(logicalId, (statement) => ({
    ...statement,
    Action: [statement.Action].flat().filter((candidate) => candidate !== action),
  }));

const ingressUpgrade = {
  clusterName: 'prod-cluster',
  targetVersion: '1.30',
  nodegroups: ['ingress'],
};

const gpuRefresh = {
  clusterName: 'refresh-cluster',
  nodegroups: ['gpu-custom'],
  launchTemplateVersions: { 'gpu-custom': '8' },
};

describe('IAM on the simulator', () => {
  it('signs each call with the role of the function or state machine that makes it', async () => {
    await runWorkflow({}, ({ execution, aws }) => {
      expect(execution.status).toBe('SUCCEEDED');
      const callers = new Map<string, Set<string>>();
      for (const request of aws.simulator.requestLog) {
        const operations = callers.get(request.caller ?? 'unsigned') ?? new Set();
        operations.add(request.operation);
        callers.set(request.caller ?? 'unsigned', operations);
      }
      const template = readTemplate();
      for (const caller of callers.keys()) expect(template.Resources, caller).toHaveProperty(caller);
      expect(callers.get('UpdateControlPlaneFunction')).toContain('UpdateClusterVersion');
      expect(callers.get('UpdateNodegroupFunction')).toContain('UpdateNodegroupVersion');
      expect(callers.get('UpdateAddonFunction')).toContain('UpdateAddon');
      expect(callers.get('CheckUpdateFunction')).toContain('DescribeAutoScalingGroups');
      expect(callers.get('PlanUpgradeFunction')).toContain('GetParameter');
      expect([...(callers.get('UpgradeClusterStateMachine') ?? [])]).toEqual(['Publish']);
    });
  });

  it('rolls a launch-template node group with the template as written', async () => {
    await runWorkflow({ scenario: 'four-nodegroups', input: ingressUpgrade }, ({ execution, aws }) => {
      expect(execution.status).toBe('SUCCEEDED');
      const update = aws.simulator.requestLog.find(
        (request) =>
          request.operation === 'UpdateNodegroupVersion' && request.params.nodegroupName === 'ingress',
      );
      expect(update).toMatchObject({ status: 200, params: { launchTemplate: expect.any(Object) } });
    });
  });

  it('fails the run with EKS own refusal when the node group role may not read launch templates', async () => {
    await runWorkflow(
      {
        scenario: 'four-nodegroups',
        input: ingressUpgrade,
        deployment: {
          iamTemplate: withoutAction('UpdateNodegroupFunction', 'ec2:DescribeLaunchTemplateVersions'),
        },
        expectedErrors: ['InvalidRequestException'],
      },
      ({ execution, aws }) => {
        expect(execution.status).toBe('FAILED');
        expect(execution.error).toBe('InvalidRequestException');
        expect(execution.cause).toContain('You are not authorized to describe the launch template version.');
        const refused = aws.simulator.requestLog.filter((request) => request.status !== 200);
        expect(refused).toEqual([
          expect.objectContaining({
            service: 'eks',
            operation: 'UpdateNodegroupVersion',
            status: 400,
            errorCode: 'InvalidRequestException',
            params: expect.objectContaining({ nodegroupName: 'ingress' }),
          }),
        ]);
      },
    );
  });

  it('rolls a custom-AMI node group onto the launch template version the input names', async () => {
    await runWorkflow({ scenario: 'ami-refresh', input: gpuRefresh }, ({ execution, aws }) => {
      expect(execution.status).toBe('SUCCEEDED');
      const gpu = aws.simulator.snapshot().clusters[0]?.nodegroups.find((ng) => ng.name === 'gpu-custom');
      expect(gpu?.releaseVersion).toBe('ami-0def5678abc123456');
    });
  });

  it('leaves a custom-AMI node group on its AMI when the role may not read its launch template', async () => {
    await runWorkflow(
      {
        scenario: 'ami-refresh',
        input: gpuRefresh,
        deployment: {
          iamTemplate: withoutAction('UpdateNodegroupFunction', 'ec2:DescribeLaunchTemplateVersions'),
        },
        expectedErrors: ['InvalidRequestException'],
      },
      ({ execution, aws }) => {
        expect(execution.error).toBe('InvalidRequestException');
        expect(aws.simulator.requestLog.filter((request) => request.status !== 200)).toEqual([
          expect.objectContaining({
            operation: 'UpdateNodegroupVersion',
            errorCode: 'InvalidRequestException',
            caller: 'UpdateNodegroupFunction',
            params: expect.objectContaining({ launchTemplate: expect.objectContaining({ version: '8' }) }),
          }),
        ]);
        const gpu = aws.simulator.snapshot().clusters[0]?.nodegroups.find((ng) => ng.name === 'gpu-custom');
        expect(gpu?.releaseVersion).toBe('ami-0abc1234def567890');
      },
    );
  });

  it('fails the run with AccessDeniedException from EKS when a role lacks the action it calls', async () => {
    await runWorkflow(
      {
        deployment: { iamTemplate: withoutAction('UpdateControlPlaneFunction', 'eks:UpdateClusterVersion') },
        expectedErrors: ['AccessDeniedException'],
      },
      ({ execution, aws }) => {
        const denial =
          'User: arn:aws:sts::123456789012:assumed-role/eks-upgrade-UpdateControlPlaneFunctionRole/' +
          'eks-upgrade-UpdateControlPlaneFunction is not authorized to perform: eks:UpdateClusterVersion ' +
          'on resource: arn:aws:eks:us-east-1:123456789012:cluster/ekscluster-eksctl ' +
          'because no identity-based policy allows the eks:UpdateClusterVersion action';
        expect(execution.status).toBe('FAILED');
        expect(execution.error).toBe('AccessDeniedException');
        expect(execution.cause).toContain(denial);
        expect(aws.simulator.requestLog.filter((request) => request.status !== 200)).toEqual([
          expect.objectContaining({
            service: 'eks',
            operation: 'UpdateClusterVersion',
            status: 403,
            errorCode: 'AccessDeniedException',
          }),
        ]);
        expect(aws.simulator.snapshot().clusters[0]?.version).toBe('1.18');
      },
    );
  });

  it('fails the task with Lambda.AWSLambdaException when the state machine may not invoke its function', async () => {
    const verify = JSON.stringify({ 'Fn::GetAtt': ['VerifyClusterFunction', 'Arn'] });
    const template = withStatements('UpgradeClusterStateMachine', (statement) =>
      statement.Sid === 'InvokeSteps'
        ? { ...statement, Resource: [statement.Resource].flat().filter((r) => JSON.stringify(r) !== verify) }
        : statement,
    );
    await runWorkflow({ input: seedInput, deployment: { iamTemplate: template } }, ({ execution }) => {
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe('Lambda.AWSLambdaException');
      expect(execution.cause).toContain(
        'is not authorized to perform: lambda:InvokeFunction on resource: ' +
          'arn:aws:lambda:us-east-1:123456789012:function:eks-upgrade-VerifyClusterFunction',
      );
      const verify = execution.tasks.filter((task) => task.state === 'Verify Cluster');
      expect(verify.length).toBeGreaterThan(1);
      expect(verify.every((task) => task.error?.name === 'Lambda.AWSLambdaException')).toBe(true);
    });
  });
});
