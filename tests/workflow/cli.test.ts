import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DescribeClusterCommand, EKSClient, ListUpdatesCommand } from '@aws-sdk/client-eks';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario, type Simulator, startSimulator } from '../../local/simulator/index.ts';

const run = promisify(execFile);
const credentials = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };
const scenario = loadScenario('multi-hop');
let simulator: Simulator;

/** `eks-upgrade plan` for legacy-cluster to `target` with these credentials and extra flags. */
function planAs(keys: Record<string, string>, target: string, ...flags: string[]) {
  return run(
    process.execPath,
    [
      'bin/eks-upgrade.mjs',
      'plan',
      '--cluster',
      'legacy-cluster',
      '--target',
      target,
      ...flags,
      '--region',
      'us-east-1',
      '--endpoint-url',
      simulator.endpoint,
    ],
    { env: { ...process.env, ...keys } },
  );
}

describe('eks-upgrade plan against the simulator', () => {
  beforeAll(async () => {
    simulator = await startSimulator({
      scenario,
      now: () => Date.parse(scenario.startTime),
      // A person who may read EKS and nothing else: the plan also reads SSM, CloudWatch and more.
      iam: {
        users: {
          EKSREADER: {
            name: 'eks-reader',
            statements: [{ effect: 'Allow', actions: ['eks:Describe*', 'eks:List*'], resources: ['*'] }],
          },
        },
      },
    });
  });
  afterAll(() => simulator.close());

  it('prints the plan table and changes nothing', async () => {
    const { stdout } = await planAs(credentials, '1.30');
    expect(stdout).toContain(
      'Plan for legacy-cluster: 1.24 -> 1.30, 6 control-plane hops, 9 node group rolling updates',
    );
    expect(stdout).toMatch(/1\s+1\.24 -> 1\.25\s+vpc-cni/);
    expect(simulator.requestLog.filter((request) => request.mutating)).toEqual([]);
  });

  it('prints the plan as JSON with --output json', async () => {
    const { stdout } = await planAs(credentials, '1.30', '--output', 'json');
    const plan = JSON.parse(stdout) as { clusterName: string; targetVersion: string };
    expect(plan).toMatchObject({ clusterName: 'legacy-cluster', targetVersion: '1.30' });
    expect(simulator.requestLog.filter((request) => request.mutating)).toEqual([]);
  });

  it('names the permission a person lacks, as one JSON error with --output json', async () => {
    const failure = await planAs(
      { AWS_ACCESS_KEY_ID: 'EKSREADER', AWS_SECRET_ACCESS_KEY: 'test' },
      '1.30',
      '--output',
      'json',
    ).catch((error: unknown) => error as { code: number; stderr: string });
    expect(failure).toMatchObject({ code: 2 });
    const { error, message } = JSON.parse((failure as { stderr: string }).stderr) as {
      error: string;
      message: string;
    };
    expect(error).toBe('PermissionMissingError');
    // The first call outside EKS the plan makes, named as IAM names it.
    expect(message).toMatch(/^AWS refused (ssm|cloudwatch|autoscaling|ec2):\w+ to these credentials/);
    expect(message).toContain('user/eks-reader');
  });

  it('refuses a command line it cannot read with exit code 2, as JSON with --output json', async () => {
    const failure = await run(process.execPath, ['bin/eks-upgrade.mjs', 'plan', '--output', 'json'], {
      env: { ...process.env, ...credentials },
    }).catch((error: unknown) => error as { code: number; stderr: string });
    expect(failure).toMatchObject({ code: 2 });
    expect(JSON.parse((failure as { stderr: string }).stderr)).toEqual({
      error: 'UsageError',
      message: "required option '--cluster <name>' not specified",
    });
  });

  it('says what is wrong with a bad request, with the error name', async () => {
    const failure = await planAs(credentials, '1.20').catch(
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect(failure).toMatchObject({ code: 2, stderr: expect.stringContaining('DowngradeRefusedError') });
  });
});

let server: ChildProcess;
let endpoint: string;
let stateMachineArn: string;
let directory: string;

/** `npm run simulator` as a person runs it, minus npm: the same script in its own process. */
async function startServer(): Promise<void> {
  server = spawn(process.execPath, ['--import', 'tsx', 'local/simulator/serve.ts', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    server.once('exit', (code) => reject(new Error(`npm run simulator exited (${code}): ${output}`)));
    server.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const listening = /listening on (http:\/\/\S+)/.exec(output);
      const machine = /Upgrade state machine: (\S+)/.exec(output);
      if (listening?.[1] && machine?.[1]) {
        endpoint = listening[1];
        stateMachineArn = machine[1];
        resolve();
      }
    });
  });
}

/** The cluster's version and every update EKS lists for it and its node group. */
async function clusterUpdates() {
  const eks = new EKSClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const name = 'ekscluster-eksctl';
  const { cluster } = await eks.send(new DescribeClusterCommand({ name }));
  const own = await eks.send(new ListUpdatesCommand({ name }));
  const group = await eks.send(new ListUpdatesCommand({ name, nodegroupName: 'managednodegroup' }));
  return { version: cluster?.version, updates: [...(own.updateIds ?? []), ...(group.updateIds ?? [])] };
}

function cli(...args: string[]) {
  return run(
    process.execPath,
    ['bin/eks-upgrade.mjs', ...args, '--region', 'us-east-1', '--endpoint-url', endpoint],
    { env: { ...process.env, ...credentials } },
  );
}

describe('eks-upgrade against npm run simulator', () => {
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'eks-upgrade-serve-'));
    await startServer();
  }, 60_000);
  afterAll(async () => {
    server.kill('SIGTERM');
    await rm(directory, { recursive: true, force: true });
  });

  it('starts an upgrade, watches it to the end and writes its report', async () => {
    const started = await cli(
      'start',
      '--cluster',
      'ekscluster-eksctl',
      '--target',
      '1.19',
      '--state-machine-arn',
      stateMachineArn,
    );
    const executionArn = started.stdout.trim();
    expect(executionArn).toMatch(/^arn:aws:states:us-east-1:\d{12}:execution:.+:ekscluster-eksctl-1\.19-/);

    const watched = await cli('watch', executionArn, '--interval', '1');
    const lines = watched.stdout.trim().split('\n');
    expect(lines.some((line) => /Control plane: update started to 1\.19/.test(line))).toBe(true);
    expect(lines.some((line) => /node group managednodegroup: Successful/i.test(line))).toBe(true);
    expect(lines.at(-1)).toBe('SUCCEEDED');

    const out = join(directory, 'report.html');
    const reported = await cli('report', executionArn, '--out', out);
    expect(reported.stdout).toContain('report.html');
    expect(await readFile(out, 'utf8')).toContain('Upgraded 1.18 → 1.19');
  }, 120_000);

  it('passes every input field it is given, and exits non-zero when the watched run fails', async () => {
    const failed = await cli(
      'start',
      '--cluster',
      'ekscluster-eksctl',
      '--target',
      '1.17',
      '--nodegroup',
      'managednodegroup',
      '--release-version',
      '1.17.12-20210208',
      '--launch-template-version',
      'gpu=8',
      '--accept-insight-errors',
      '--concurrency',
      '2',
      '--deadline',
      '2030-01-01T00:00:00Z',
      '--no-notify',
      '--force',
      '--bake-minutes',
      '30',
      '--bake-alarm',
      'api-5xx',
      '--on-gate-failure',
      'rollback',
      '--approval',
      'before-each-hop',
      '--accept-unmanaged-skew',
      '--max-unavailable',
      '3',
      '--update-strategy',
      'MINIMAL',
      '--window-start',
      '2029-12-31T22:00:00Z',
      '--window-minutes',
      '240',
      '--bake-ignore-health-issues',
      '--acknowledge-gate-failure',
      '--replace-al2',
      'AL2023_ARM_64_STANDARD',
      '--replacement-name-pattern',
      '{name}-al2023',
      '--replacement-launch-template-version',
      'gpu=9',
      '--state-machine-arn',
      stateMachineArn,
      '--watch',
    ).catch((error: unknown) => error as { code: number; stdout: string });
    expect(failed).toMatchObject({ code: 1 });
    const lines = failed.stdout.trim().split('\n');
    // Past validation (no InvalidInputError): the plan refused the downgrade.
    expect(lines.at(-1)).toMatch(/^FAILED: DowngradeRefusedError /);
    const sfn = new SFNClient({
      region: 'us-east-1',
      endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const { input } = await sfn.send(new DescribeExecutionCommand({ executionArn: lines[0] }));
    expect(JSON.parse(input ?? '{}')).toEqual({
      clusterName: 'ekscluster-eksctl',
      targetVersion: '1.17',
      nodegroups: ['managednodegroup'],
      force: true,
      releaseVersion: '1.17.12-20210208',
      launchTemplateVersions: { gpu: '8' },
      acceptInsightErrors: true,
      maxConcurrentNodegroups: 2,
      deadline: '2030-01-01T00:00:00Z',
      notify: false,
      bake: { minutes: 30, alarms: ['api-5xx'], failOnHealthIssues: false },
      onGateFailure: 'rollback',
      approval: 'before-each-hop',
      acceptUnmanagedSkew: true,
      rollingUpdate: { maxUnavailable: 3, updateStrategy: 'MINIMAL' },
      window: { start: '2029-12-31T22:00:00Z', minutes: 240 },
      acknowledgeGateFailure: true,
      replaceAl2: {
        amiType: 'AL2023_ARM_64_STANDARD',
        namePattern: '{name}-al2023',
        launchTemplateVersions: { gpu: '9' },
      },
    });
  }, 120_000);

  it('starts from an --input file, and lists recent upgrades with cluster, versions and outcome', async () => {
    const file = join(directory, 'input.json');
    await writeFile(
      file,
      JSON.stringify({ clusterName: 'ekscluster-eksctl', targetVersion: '1.19', dryRun: true }),
    );
    const started = await cli('start', '--input', file, '--state-machine-arn', stateMachineArn, '--watch');
    expect(started.stdout.trim().split('\n').at(-1)).toBe('SUCCEEDED');

    const listed = await cli('list', '--state-machine-arn', stateMachineArn, '--output', 'json');
    const rows = JSON.parse(listed.stdout) as Array<{
      cluster: string;
      from: string;
      to: string;
      outcome: string;
      error: string;
    }>;
    // Newest first: the dry run, the refused run, the upgrade.
    expect(rows.map((row) => [row.cluster, row.to, row.outcome, row.error])).toEqual([
      ['ekscluster-eksctl', '1.19', 'PLANNED', ''],
      ['ekscluster-eksctl', '1.17', 'FAILED', 'DowngradeRefusedError'],
      ['ekscluster-eksctl', '1.19', 'UPGRADED', ''],
    ]);
    expect(rows[2]?.from).toBe('1.18');
    const table = await cli('list', '--state-machine-arn', stateMachineArn);
    expect(table.stdout).toMatch(/ekscluster-eksctl {2}1\.18 -> 1\.19 {2}UPGRADED {2}\d+ min/);
  }, 120_000);

  it('finds the state machine from the stack, and names the flag to pass when the stack is not there', async () => {
    const listed = await cli('list', '--output', 'json');
    expect((JSON.parse(listed.stdout) as unknown[]).length).toBeGreaterThan(0);
    const missing = await cli('list', '--stack', 'eks-upgrade-staging', '--output', 'json').catch(
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect(missing).toMatchObject({ code: 2 });
    expect(JSON.parse((missing as { stderr: string }).stderr)).toEqual({
      error: 'StackNotFoundError',
      message:
        'No stack eks-upgrade-staging in us-east-1: pass --stack with the name sam deploy used, --region, or --state-machine-arn.',
    });
  }, 120_000);

  it('answers an approval: JSON from start, approve and watch, and the rejection ends the run before anything changes', async () => {
    const before = await clusterUpdates();
    const started = await cli(
      'start',
      '--cluster',
      'ekscluster-eksctl',
      '--target',
      '1.20',
      '--approval',
      'before-upgrade',
      '--output',
      'json',
    );
    const { type, executionArn, input } = JSON.parse(started.stdout) as {
      type: string;
      executionArn: string;
      input: unknown;
    };
    expect(type).toBe('started');
    expect(input).toEqual({
      clusterName: 'ekscluster-eksctl',
      targetVersion: '1.20',
      approval: 'before-upgrade',
    });

    // The run waits for the answer; approve finds the token in its history once the wait began.
    let answered: { stdout: string } | undefined;
    for (let attempt = 0; attempt < 100 && !answered; attempt++) {
      answered = await cli('approve', executionArn, '--reject', 'change freeze', '--output', 'json').catch(
        async (error: unknown) => {
          if (!String((error as { stderr?: string }).stderr).includes('is not waiting')) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
          return undefined;
        },
      );
    }
    expect(JSON.parse(answered?.stdout ?? '{}')).toMatchObject({
      executionArn,
      decision: 'rejected',
      by: expect.stringContaining(':user/test'),
    });

    const watched = await cli('watch', executionArn, '--interval', '1', '--output', 'json').catch(
      (error: unknown) => error as { code: number; stdout: string },
    );
    expect(watched).toMatchObject({ code: 1 });
    const lines = (watched as { stdout: string }).stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; state?: string; line?: string; error?: string });
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.slice(0, -1).every((line) => line.type === 'step' && line.state && line.line)).toBe(true);
    expect(
      lines.some((line) => line.state === 'Await Approval' && line.line?.includes('UpgradeRejectedError')),
    ).toBe(true);
    expect(lines.at(-1)).toMatchObject({
      type: 'end',
      executionArn,
      status: 'FAILED',
      error: 'UpgradeRejectedError',
    });
    expect(await clusterUpdates()).toEqual(before);

    const out = join(directory, 'rejected.html');
    const reported = await cli('report', executionArn, '--out', out, '--output', 'json');
    expect(JSON.parse(reported.stdout)).toEqual({ executionArn, path: out });
  }, 120_000);

  it('starts a rollback in rollback mode, whose plan refuses what EKS would refuse', async () => {
    const refused = await cli(
      'rollback',
      '--cluster',
      'ekscluster-eksctl',
      '--dry-run',
      '--state-machine-arn',
      stateMachineArn,
      '--watch',
    ).catch((error: unknown) => error as { code: number; stdout: string });
    expect(refused).toMatchObject({ code: 1 });
    const lines = refused.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/:execution:.+:ekscluster-eksctl-rollback-/);
    expect(lines.at(-1)).toMatch(/^FAILED: RollbackRefusedError /);
    const sfn = new SFNClient({
      region: 'us-east-1',
      endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const { input } = await sfn.send(new DescribeExecutionCommand({ executionArn: lines[0] }));
    expect(JSON.parse(input ?? '{}')).toEqual({
      clusterName: 'ekscluster-eksctl',
      rollback: true,
      dryRun: true,
    });
  }, 120_000);

  it('passes --role-arn for a cluster in another account; a role the stack may not assume fails the run', async () => {
    const roleArn = 'arn:aws:iam::210987654321:role/eks-upgrade-access';
    const refused = await cli(
      'start',
      '--cluster',
      'ekscluster-eksctl',
      '--target',
      '1.19',
      '--role-arn',
      roleArn,
      '--dry-run',
      '--state-machine-arn',
      stateMachineArn,
      '--watch',
    ).catch((error: unknown) => error as { code: number; stdout: string });
    expect(refused).toMatchObject({ code: 1 });
    const lines = refused.stdout.trim().split('\n');
    expect(lines.at(-1)).toMatch(/^FAILED: AccessDenied .*sts:AssumeRole/);
    const sfn = new SFNClient({
      region: 'us-east-1',
      endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const { input } = await sfn.send(new DescribeExecutionCommand({ executionArn: lines[0] }));
    expect(JSON.parse(input ?? '{}')).toMatchObject({ roleArn, dryRun: true });
  }, 120_000);
});
