import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadScenario, type Scenario } from '../../../local/simulator/index.ts';
import { rejectionOf, startRig, type TestRig } from './support.ts';

let rig: TestRig;
let cloudWatch: CloudWatchClient;

function withAlarms(): Scenario {
  const scenario = loadScenario('seed');
  scenario.alarms = [
    {
      name: 'checkout-5xx',
      namespace: 'AWS/ApplicationELB',
      metricName: 'HTTPCode_Target_5XX_Count',
      description: 'Checkout answers 5xx',
      threshold: 10,
      states: [
        {
          atSecond: 0,
          value: 'OK',
          reason: 'Threshold Crossed: 1 datapoint [2.0] was not greater than 10.0',
        },
        {
          atSecond: 1800,
          value: 'ALARM',
          reason: 'Threshold Crossed: 1 datapoint [42.0] was greater than 10.0',
        },
        { atSecond: 3600, value: 'OK' },
      ],
    },
    {
      name: 'checkout-latency',
      namespace: 'AWS/ApplicationELB',
      metricName: 'TargetResponseTime',
      threshold: 1,
      states: [{ atSecond: 600, value: 'OK' }],
    },
    {
      name: 'payments-errors',
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      threshold: 1,
      states: [{ atSecond: 0, value: 'ALARM' }],
    },
  ];
  return scenario;
}

beforeEach(async () => {
  rig = await startRig({ scenario: withAlarms() });
  cloudWatch = new CloudWatchClient({
    endpoint: rig.simulator.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});

afterEach(async () => {
  cloudWatch.destroy();
  await rig.close();
});

async function states(input: ConstructorParameters<typeof DescribeAlarmsCommand>[0] = {}) {
  const { MetricAlarms = [] } = await cloudWatch.send(new DescribeAlarmsCommand(input));
  return MetricAlarms.map((a) => [a.AlarmName, a.StateValue]);
}

describe('CloudWatch DescribeAlarms', () => {
  it('answers metric alarms with their state, reason, timestamps and ARN', async () => {
    const { MetricAlarms = [] } = await cloudWatch.send(
      new DescribeAlarmsCommand({ AlarmNames: ['checkout-5xx'] }),
    );
    expect(MetricAlarms).toEqual([
      expect.objectContaining({
        AlarmName: 'checkout-5xx',
        AlarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-5xx',
        AlarmDescription: 'Checkout answers 5xx',
        StateValue: 'OK',
        StateReason: 'Threshold Crossed: 1 datapoint [2.0] was not greater than 10.0',
        StateUpdatedTimestamp: new Date(rig.start),
        MetricName: 'HTTPCode_Target_5XX_Count',
        Namespace: 'AWS/ApplicationELB',
        Threshold: 10,
      }),
    ]);
  });

  it('follows the state changes the scenario sets over time', async () => {
    expect(await states({ AlarmNamePrefix: 'checkout-' })).toEqual([
      ['checkout-5xx', 'OK'],
      ['checkout-latency', 'INSUFFICIENT_DATA'],
    ]);
    rig.advanceMinutes(30);
    const { MetricAlarms = [] } = await cloudWatch.send(
      new DescribeAlarmsCommand({ AlarmNamePrefix: 'checkout-' }),
    );
    expect(MetricAlarms.map((a) => [a.AlarmName, a.StateValue, a.StateUpdatedTimestamp])).toEqual([
      ['checkout-5xx', 'ALARM', new Date(rig.start + 1_800_000)],
      ['checkout-latency', 'OK', new Date(rig.start + 600_000)],
    ]);
    rig.advanceMinutes(30);
    expect(await states({ AlarmNames: ['checkout-5xx'] })).toEqual([['checkout-5xx', 'OK']]);
  });

  it('filters by StateValue and returns no metric alarms when only composite alarms are asked for', async () => {
    expect(await states({ StateValue: 'ALARM' })).toEqual([['payments-errors', 'ALARM']]);
    expect(await states({ AlarmTypes: ['CompositeAlarm'] })).toEqual([]);
  });

  it('pages with MaxRecords and NextToken', async () => {
    const first = await cloudWatch.send(new DescribeAlarmsCommand({ MaxRecords: 2 }));
    expect(first.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['checkout-5xx', 'checkout-latency']);
    const second = await cloudWatch.send(
      new DescribeAlarmsCommand({ MaxRecords: 2, NextToken: first.NextToken }),
    );
    expect(second.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['payments-errors']);
    expect(second.NextToken).toBeUndefined();
  });

  it('refuses AlarmNames with AlarmNamePrefix, and a bad token, with the awsQuery-compatible error codes', async () => {
    const combination = await rejectionOf(
      cloudWatch.send(
        new DescribeAlarmsCommand({ AlarmNames: ['checkout-5xx'], AlarmNamePrefix: 'checkout' }),
      ),
    );
    expect(combination.name).toBe('InvalidParameterCombinationException');
    expect(combination.$metadata?.httpStatusCode).toBe(400);
    expect(combination).toMatchObject({ Code: 'InvalidParameterCombination', Type: 'Sender' });
    const token = await rejectionOf(cloudWatch.send(new DescribeAlarmsCommand({ NextToken: 'not-a-token' })));
    expect(token.name).toBe('InvalidNextToken');
  });

  it('logs DescribeAlarms as a read', async () => {
    await states();
    expect(rig.simulator.requestLog.map((r) => [r.service, r.operation, r.mutating])).toEqual([
      ['cloudwatch', 'DescribeAlarms', false],
    ]);
  });
});
