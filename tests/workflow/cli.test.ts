import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario, type Simulator, startSimulator } from '../../local/simulator/index.ts';

const run = promisify(execFile);
const scenario = loadScenario('multi-hop');
let simulator: Simulator;

describe('eks-upgrade plan against the simulator', () => {
  beforeAll(async () => {
    simulator = await startSimulator({ scenario, now: () => Date.parse(scenario.startTime) });
  });
  afterAll(() => simulator.close());

  it('prints the plan table and changes nothing', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        'bin/eks-upgrade.mjs',
        'plan',
        '--cluster',
        'legacy-cluster',
        '--target',
        '1.30',
        '--region',
        'us-east-1',
        '--endpoint-url',
        simulator.endpoint,
      ],
      { env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' } },
    );
    expect(stdout).toContain(
      'Plan for legacy-cluster: 1.24 -> 1.30, 6 control-plane hops, 9 node group rolling updates',
    );
    expect(stdout).toMatch(/1\s+1\.24 -> 1\.25\s+vpc-cni/);
    expect(simulator.requestLog.filter((request) => request.mutating)).toEqual([]);
  });

  it('says what is wrong with a bad request, with the error name', async () => {
    const failure = await run(
      process.execPath,
      [
        'bin/eks-upgrade.mjs',
        'plan',
        '--cluster',
        'legacy-cluster',
        '--target',
        '1.20',
        '--region',
        'us-east-1',
        '--endpoint-url',
        simulator.endpoint,
      ],
      { env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' } },
    ).catch((error: unknown) => error as { code: number; stderr: string });
    expect(failure).toMatchObject({ code: 2, stderr: expect.stringContaining('DowngradeRefusedError') });
  });
});

const credentials = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };

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
      '--state-machine-arn',
      stateMachineArn,
      '--watch',
    ).catch((error: unknown) => error as { code: number; stdout: string });
    expect(failed).toMatchObject({ code: 1 });
    const lines = failed.stdout.trim().split('\n');
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
      bake: { minutes: 30, alarms: ['api-5xx'] },
      onGateFailure: 'rollback',
      approval: 'before-each-hop',
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
