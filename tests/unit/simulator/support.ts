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

const fixed = (minutes: number) => ({ median: minutes, p90: minutes, max: minutes });

/**
 * Degenerate distributions (median = p90 = max) with whole-minute steps, so a test can walk an update
 * minute by minute: control plane 25, node group setup 1 + launch 4 + per batch evict 2 + terminate 1 +
 * scale-down 2, add-on 3. These are the scenario's parameters, not anything the product knows.
 */
export function withStepwiseTimings(scenario: Scenario): Scenario {
  return {
    ...scenario,
    timings: {
      ...scenario.timings,
      controlPlaneUpdate: fixed(25),
      nodegroupSetup: fixed(1),
      instanceLaunch: fixed(4),
      podEviction: fixed(2),
      instanceTerminate: fixed(1),
      scaleDown: fixed(2),
      addonUpdate: fixed(3),
    },
  };
}

/** A rig on the scenario with stepwise timings, unless `drawnTimings` keeps the scenario's distributions. */
export async function startRig(
  options: {
    scenario?: string | Scenario;
    faults?: FaultName[];
    maxAttempts?: number;
    drawnTimings?: boolean;
  } = {},
): Promise<TestRig> {
  const loaded =
    typeof options.scenario === 'object' ? options.scenario : loadScenario(options.scenario ?? 'seed');
  let scenario = options.drawnTimings ? loaded : withStepwiseTimings(loaded);
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
