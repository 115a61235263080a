import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario, type Simulator, startSimulator } from '../../local/simulator/index.ts';

// The Tracer as it runs in Lambda: the runtime's environment (execution env, trace header, daemon
// address) set before the handler module loads, a UDP socket standing in for the X-Ray daemon, and
// the real handler calling the simulator through its real SDK client.

interface Subsegment {
  name: string;
  namespace?: string;
  aws?: { operation?: string; region?: string; retries?: number };
  http?: { response?: { status?: number } };
  annotations?: Record<string, unknown>;
  fault?: boolean;
  error?: boolean;
}

const traceId = '1-67891233-abcdef012345678912345678';
let daemon: Socket;
let simulator: Simulator;
const received: Subsegment[] = [];
const saved = { ...process.env };

beforeAll(async () => {
  daemon = createSocket('udp4');
  daemon.on('message', (message) => {
    // Each datagram: a JSON header line, then one segment document.
    const [, body = '{}'] = message.toString('utf8').split('\n');
    received.push(JSON.parse(body) as Subsegment);
  });
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  const { port } = daemon.address() as AddressInfo;
  simulator = await startSimulator({ scenario: loadScenario('seed') });
  Object.assign(process.env, {
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    LAMBDA_TASK_ROOT: '/var/task',
    _X_AMZN_TRACE_ID: `Root=${traceId};Parent=53995c3f42cd8ad8;Sampled=1`,
    AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${port}`,
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    AWS_ENDPOINT_URL: simulator.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    POWERTOOLS_SERVICE_NAME: 'eks-upgrade',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
});

afterAll(async () => {
  process.env = saved;
  daemon.close();
  await simulator.close();
});

const context = {
  functionName: 'eks-upgrade-VerifyClusterFunction',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:eks-upgrade-VerifyClusterFunction',
  getRemainingTimeInMillis: () => 60_000,
};

describe('X-Ray tracing of a step', () => {
  it('records each AWS call of the step as a subsegment, under the handler annotated with the run', async () => {
    const { handler } = await import('../../functions/verify-cluster/handler.ts');
    await handler(
      {
        clusterName: 'ekscluster-eksctl',
        currentVersion: '1.18',
        targetVersion: '1.18',
        expected: {
          nodegroups: [{ name: 'managednodegroup', version: '1.18', releaseVersion: null }],
          addons: [],
        },
      },
      context as never,
    );
    await expect
      .poll(() => received.filter((segment) => segment.namespace === 'aws').length)
      .toBeGreaterThan(1);

    const calls = received.filter((segment) => segment.namespace === 'aws');
    expect(calls.map((call) => `${call.name} ${call.aws?.operation}`)).toEqual(
      expect.arrayContaining(['EKS DescribeCluster', 'EKS DescribeNodegroup']),
    );
    expect(calls.every((call) => call.http?.response?.status === 200 && !call.fault)).toBe(true);
    // The simulator's request log holds the same calls: none went untraced.
    const made = simulator.requestLog.map((request) => `EKS ${request.operation}`);
    expect(calls.map((call) => `${call.name} ${call.aws?.operation}`).sort()).toEqual(made.sort());

    await expect.poll(() => received.find((segment) => segment.name.startsWith('## '))).toBeDefined();
    const handlerSegment = received.find((segment) => segment.name.startsWith('## '));
    expect(handlerSegment?.annotations).toMatchObject({
      clusterName: 'ekscluster-eksctl',
      ColdStart: true,
      Service: 'eks-upgrade',
    });
  });
});
