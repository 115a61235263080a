import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actAs } from '../../../local/harness/role-credentials.ts';
import { loadScenario, type Simulator, startSimulator } from '../../../local/simulator/index.ts';

let simulator: Simulator;
let eks: EKSClient;

beforeAll(async () => {
  const scenario = loadScenario('seed');
  simulator = await startSimulator({
    scenario,
    now: () => Date.parse(scenario.startTime),
    iam: { administratorAccessKeyIds: ['test'], parameters: { ClusterNamePattern: '*' } },
  });
  // One client for everyone, as the handlers share one process environment.
  eks = new EKSClient({
    endpoint: simulator.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'shared', secretAccessKey: 'shared' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  eks.destroy();
  await simulator.close();
});

const describeSeed = () => eks.send(new DescribeClusterCommand({ name: 'ekscluster-eksctl' }));

describe('actAs', () => {
  it("signs the calls made inside it with the role's access key", async () => {
    await actAs('PlanUpgradeFunction', describeSeed);
    expect(simulator.requestLog.at(-1)).toMatchObject({ caller: 'PlanUpgradeFunction', status: 200 });
  });

  it('keeps interleaved work apart: each call carries the role it was made for', async () => {
    const before = simulator.requestLog.length;
    const twice = async () => {
      await describeSeed();
      await new Promise((resolve) => setImmediate(resolve));
      await describeSeed();
    };
    await Promise.all([actAs('PlanUpgradeFunction', twice), actAs('VerifyClusterFunction', twice)]);
    const callers = simulator.requestLog.slice(before).map((request) => request.caller);
    expect(callers.sort()).toEqual([
      'PlanUpgradeFunction',
      'PlanUpgradeFunction',
      'VerifyClusterFunction',
      'VerifyClusterFunction',
    ]);
  });

  it('leaves calls made outside it alone, so the simulator refuses their unknown key', async () => {
    await expect(describeSeed()).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    expect(simulator.requestLog.at(-1)).toMatchObject({ caller: 'shared', status: 403 });
  });
});
