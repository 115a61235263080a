import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario, type Simulator, startSimulator } from '../../local/simulator/index.ts';

const run = promisify(execFile);
const scenario = loadScenario('seed');
let simulator: Simulator;
let simulatedNow = Date.parse(scenario.startTime);

/** The AWS CLI (part of this machine image) as a person types it against the simulator. */
async function aws(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run('aws', [...args, '--endpoint-url', simulator.endpoint, '--output', 'json'], {
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_DEFAULT_REGION: 'us-east-1',
    },
  });
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe('the AWS CLI against the simulator', () => {
  beforeAll(async () => {
    simulator = await startSimulator({ scenario, now: () => simulatedNow });
  });
  afterAll(() => simulator.close());

  it('describes the cluster, its node group, an update and the Auto Scaling group', async () => {
    const { cluster } = (await aws('eks', 'describe-cluster', '--name', 'ekscluster-eksctl')) as {
      cluster: { version: string; status: string };
    };
    expect(cluster).toMatchObject({ version: '1.18', status: 'ACTIVE' });

    const { nodegroup } = (await aws(
      'eks',
      'describe-nodegroup',
      '--cluster-name',
      'ekscluster-eksctl',
      '--nodegroup-name',
      'managednodegroup',
    )) as { nodegroup: { resources: { autoScalingGroups: Array<{ name: string }> } } };
    const groupName = nodegroup.resources.autoScalingGroups[0]?.name ?? '';

    const { update } = (await aws(
      'eks',
      'update-cluster-version',
      '--name',
      'ekscluster-eksctl',
      '--kubernetes-version',
      '1.19',
    )) as { update: { id: string } };
    simulatedNow += 5 * 60_000;
    const described = (await aws(
      'eks',
      'describe-update',
      '--name',
      'ekscluster-eksctl',
      '--update-id',
      update.id,
    )) as {
      update: { status: string; type: string };
    };
    expect(described.update).toMatchObject({ status: 'InProgress', type: 'VersionUpdate' });

    const groups = (await aws(
      'autoscaling',
      'describe-auto-scaling-groups',
      '--auto-scaling-group-names',
      groupName,
    )) as {
      AutoScalingGroups: Array<{ Instances: unknown[]; DesiredCapacity: number }>;
    };
    expect(groups.AutoScalingGroups[0]).toMatchObject({ DesiredCapacity: 3 });
    expect(groups.AutoScalingGroups[0]?.Instances).toHaveLength(3);
  });
});
