import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { correlationKeys, makeHandler, stepClient } from '../../../functions/shared/handler-kit.ts';

const context = {
  functionName: 'eks-upgrade-UpdateNodegroupFunction',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:eks-upgrade-UpdateNodegroupFunction',
  memoryLimitInMB: '256',
  awsRequestId: 'req-1',
  logGroupName: '/aws/lambda/x',
  logStreamName: 'x',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 60_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

describe('logs that help at 3 a.m.', () => {
  afterEach(() => vi.restoreAllMocks());

  it('puts execution, cluster, node group and update ID on every line, and never the whole event', async () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const handler = makeHandler(async (event: { clusterName: string }) => ({
      ...event,
      updateId: 'u-42',
      status: 'InProgress',
    }));
    await handler(
      {
        clusterName: 'prod',
        executionName: 'run-7',
        nodegroup: { name: 'ng-a' },
        message: 'SECRET-FROM-USER',
      } as never,
      context as never,
    );
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((record) => record.message)).toEqual(['Step started', 'Step finished']);
    for (const record of records) {
      expect(record).toMatchObject({
        clusterName: 'prod',
        executionName: 'run-7',
        nodegroupName: 'ng-a',
        function_name: context.functionName,
      });
    }
    expect(records[1]).toMatchObject({ updateId: 'u-42', status: 'InProgress' });
    expect(lines.join('')).not.toContain('SECRET-FROM-USER');
  });

  it('stops a step that runs out of Lambda time as StepTimedOutError, logged and counted as a fault', async () => {
    const lines: string[] = [];
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        lines.push(String(chunk));
        return true;
      });
    }
    // Nothing listens on port 9: a call that went out would fail with a connection error instead.
    const eks = stepClient(
      new EKSClient({
        region: 'us-east-1',
        endpoint: 'http://127.0.0.1:9',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 1,
      }),
    );
    let lateCall: Promise<unknown> | undefined;
    const handler = makeHandler(async (_event: { clusterName: string }) => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      lateCall = eks.send(new DescribeClusterCommand({ name: 'prod' }));
      return lateCall;
    });
    // 1.2 s left: middy stops the step a second early, 0.2 s from now.
    await expect(
      handler({ clusterName: 'prod' }, { ...context, getRemainingTimeInMillis: () => 1200 } as never),
    ).rejects.toMatchObject({ name: 'StepTimedOutError' });
    // The stopped step carries on (Lambda would thaw it with the next invocation) but calls nothing.
    await vi.waitFor(() => expect(lateCall).toBeDefined());
    await expect(lateCall).rejects.toMatchObject({ name: 'StepTimedOutError' });
    expect(lines.join('')).not.toContain('Step finished');
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.find((record) => record.message === 'Step failed')).toMatchObject({
      errorName: 'StepTimedOutError',
      clusterName: 'prod',
    });
    expect(records.find((record) => '_aws' in record)).toMatchObject({ StepErrors: 1 });
  });

  it('keeps only short named fields', () => {
    expect(
      correlationKeys({ clusterName: 'x'.repeat(500), password: 'p', input: { clusterName: 'ignored' } }),
    ).toEqual({
      clusterName: 'x'.repeat(100),
    });
  });
});
