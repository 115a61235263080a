import { describe, expect, it } from 'vitest';
import { readTemplate, type Template } from '../../scripts/template.ts';
import { runWorkflow, seedInput } from './helpers.ts';

/** template.yaml with one action taken out of one role's policies, as a mistaken edit would. */
function withoutAction(logicalId: string, action: string): Template {
  const template = readTemplate();
  const properties = template.Resources[logicalId]?.Properties ?? {};
  const policies = properties.Policies as Array<{ Statement: Array<{ Action: string | string[] }> }>;
  for (const policy of policies) {
    policy.Statement = policy.Statement.map((statement) => ({
      ...statement,
      Action: [statement.Action].flat().filter((candidate) => candidate !== action),
    })).filter((statement) => statement.Action.length > 0);
  }
  return template;
}

const ingressUpgrade = {
  clusterName: 'prod-cluster',
  targetVersion: '1.30',
  nodegroups: ['ingress'],
};

describe('IAM on the simulator', () => {
  it('rolls a launch-template node group with the template as written', async () => {
    await runWorkflow({ scenario: 'four-nodegroups', input: ingressUpgrade }, ({ execution, aws }) => {
      expect(execution.status).toBe('SUCCEEDED');
      const update = aws.simulator.requestLog.find(
        (request) => request.operation === 'UpdateNodegroupVersion' && request.params.nodegroupName === 'ingress',
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
    const template = readTemplate();
    const statements = (
      template.Resources.UpgradeClusterStateMachine?.Properties?.Policies as Array<{
        Statement: Array<{ Sid: string; Resource: unknown }>;
      }>
    )[0]?.Statement;
    const invoke = statements?.find((statement) => statement.Sid === 'InvokeSteps');
    if (!invoke || !Array.isArray(invoke.Resource)) throw new Error('template.yaml has no InvokeSteps list');
    invoke.Resource = invoke.Resource.filter(
      (resource) => JSON.stringify(resource) !== JSON.stringify({ 'Fn::GetAtt': ['VerifyClusterFunction', 'Arn'] }),
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
