import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterEach, describe, expect, it } from 'vitest';
import { roleAccessKeyId } from '../../../local/simulator/index.ts';
import { startRig, type TestRig } from './support.ts';

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
