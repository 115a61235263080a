import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterEach, describe, expect, it } from 'vitest';
import { loadScenario, roleAccessKeyId, type Scenario } from '../../../local/simulator/index.ts';
import { rejectionOf, startRig, type TestRig } from './support.ts';

let rig: TestRig;
afterEach(async () => {
  await rig.close();
});

const sts = (accessKeyId: string) =>
  new STSClient({
    endpoint: rig.simulator.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey: 'test' },
  });

describe('STS GetCallerIdentity', () => {
  it('names who signed the request: a person, or a template role in its assumed-role form', async () => {
    rig = await startRig();
    const person = await sts('test').send(new GetCallerIdentityCommand({}));
    expect(person).toMatchObject({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/test' });
    const role = await sts(roleAccessKeyId('PlanUpgradeFunction')).send(new GetCallerIdentityCommand({}));
    expect(role.Arn).toMatch(
      /^arn:aws:sts::123456789012:assumed-role\/eks-upgrade-PlanUpgradeFunctionRole\//,
    );
  });
});

describe('STS AssumeRole and clusters in other accounts', () => {
  const other = '210987654321';
  const roleArn = `arn:aws:iam::${other}:role/eks-upgrade-access`;
  function elsewhere(): Scenario {
    const scenario = loadScenario('seed');
    scenario.roles = [{ arn: roleArn, trusts: ['123456789012'] }];
    for (const cluster of scenario.clusters) cluster.accountId = other;
    return scenario;
  }

  it("hands out credentials for a role that trusts the caller's account; only they see its account's clusters", async () => {
    rig = await startRig({ scenario: elsewhere() });
    const name = 'ekscluster-eksctl';
    const hidden = await rejectionOf(rig.eks.send(new DescribeClusterCommand({ name })));
    expect(hidden.name).toBe('ResourceNotFoundException');

    const { Credentials, AssumedRoleUser } = await sts('test').send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'upgrade' }),
    );
    expect(AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${other}:assumed-role/eks-upgrade-access/upgrade`);
    const assumed = new EKSClient({
      endpoint: rig.simulator.endpoint,
      region: 'us-east-1',
      credentials: {
        accessKeyId: Credentials?.AccessKeyId ?? '',
        secretAccessKey: Credentials?.SecretAccessKey ?? '',
        sessionToken: Credentials?.SessionToken ?? '',
      },
    });
    const { cluster } = await assumed.send(new DescribeClusterCommand({ name }));
    expect(cluster?.arn).toBe(`arn:aws:eks:us-east-1:${other}:cluster/${name}`);
    assumed.destroy();
  });

  it('refuses a role that does not exist, or one a template role has no permission to assume, as AccessDenied', async () => {
    rig = await startRig({ scenario: elsewhere() });
    const unknown = await rejectionOf(
      sts('test').send(
        new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${other}:role/nope`, RoleSessionName: 's' }),
      ),
    );
    expect(unknown.name).toBe('AccessDenied');
    const denied = await rejectionOf(
      sts(roleAccessKeyId('WaveGateFunction')).send(
        new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 's' }),
      ),
    );
    expect(denied.name).toBe('AccessDenied');
    expect(denied.message).toContain('is not authorized to perform: sts:AssumeRole');
  });

  it("caps a role's chained session at an hour, as STS does", async () => {
    const scenario = elsewhere();
    scenario.roles = [{ arn: roleArn, trusts: ['123456789012', other] }];
    rig = await startRig({ scenario });
    const { Credentials } = await sts('test').send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'first', DurationSeconds: 7200 }),
    );
    const chained = await rejectionOf(
      sts(Credentials?.AccessKeyId ?? '').send(
        new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'second', DurationSeconds: 7200 }),
      ),
    );
    expect(chained.name).toBe('ValidationError');
    expect(chained.message).toContain('role chaining');
  });
});
