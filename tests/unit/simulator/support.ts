import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EKSClient } from '@aws-sdk/client-eks';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import {
  applyFault,
  type FaultName,
  loadScenario,
  type Scenario,
  type Simulator,
  startSimulator,
} from '../../../local/simulator/index.ts';

// A simulator on a hand-driven clock, with real SDK clients pointed at it.

export interface TestRig {
  simulator: Simulator;
  eks: EKSClient;
  autoScaling: AutoScalingClient;
  sns: SNSClient;
  ssm: SSMClient;
  start: number;
  /** Simulated ms epoch. */
  now(): number;
  /** Moves the simulated clock forward. */
  advanceMinutes(minutes: number): void;
  close(): Promise<void>;
}

export async function startRig(
  options: { scenario?: string | Scenario; faults?: FaultName[]; maxAttempts?: number } = {},
): Promise<TestRig> {
  let scenario =
    typeof options.scenario === 'object' ? options.scenario : loadScenario(options.scenario ?? 'seed');
  for (const fault of options.faults ?? []) scenario = applyFault(scenario, fault);
  const start = Date.parse(scenario.startTime);
  let t = start;
  const simulator = await startSimulator({ scenario, now: () => t });
  const config = {
    endpoint: simulator.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: options.maxAttempts ?? 1,
  };
  const eks = new EKSClient(config);
  const autoScaling = new AutoScalingClient(config);
  const sns = new SNSClient(config);
  const ssm = new SSMClient(config);
  return {
    simulator,
    eks,
    autoScaling,
    sns,
    ssm,
    start,
    now: () => t,
    advanceMinutes: (minutes) => {
      t += minutes * 60_000;
    },
    close: async () => {
      for (const client of [eks, autoScaling, sns, ssm]) client.destroy();
      await simulator.close();
    },
  };
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejectionOf(
  promise: Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-Error: ${String(error)}`);
  }
  throw new Error('expected the call to fail, and it succeeded');
}
