// What a run did, in the shapes the report, npm start and `eks-upgrade report` share.

/** One task of an execution as the report reads it: the local engine's records and a real history alike. */
export interface TaskRecord {
  state: string;
  startedAt: number;
  endedAt: number;
  input: unknown;
  output?: unknown;
  error?: { name: string; message: string };
}

/** The shape `npm start -- --json` prints: one object a script or a test can read. */
export interface RunSummary {
  cluster: string;
  from: string;
  to: string;
  /** DEFERRED: the execution succeeded by stopping at its deadline; the next window continues. */
  status: 'SUCCEEDED' | 'DEFERRED' | 'ROLLED_BACK' | 'FAILED' | 'ABORTED';
  error?: string;
  cause?: string;
  dryRun: boolean;
  steps: Array<{
    name: string;
    kind: 'controlPlane' | 'nodegroup' | 'addon';
    target: string;
    updateId: string | null;
    status: string;
    adopted: boolean;
    /** How long AWS's update ran, in simulated seconds (0 when skipped). */
    simulatedSeconds: number;
    /** Simulated seconds from the run's start to the update's start and end: the timeline. */
    startSecond: number;
    endSecond: number;
  }>;
  nodegroups: Array<{
    name: string;
    from: string;
    to: string;
    releaseFrom: string;
    releaseTo: string;
    /** How many rolling updates the run put the node group through. */
    rotations: number;
    instancesReplaced: number;
  }>;
  /** The Plan Upgrade task's output: stages, insights, notes (absent when planning failed). */
  plan?: unknown;
  /** The CloudWatch metrics the steps emitted (functions/shared/step-metrics.ts), added up: a local run's. */
  metrics?: Array<{ name: string; dimensions: Record<string, string>; count: number; sum: number }>;
  stateTransitions: number;
  lambdaInvocations: number;
  /** Events in the largest execution history of the run (Step Functions fails one at 25,000). */
  historyEvents: number;
  /** Largest state input, output or task result of the run, UTF-8 bytes (the quota is 262,144). */
  maxPayloadBytes: number;
  simulatedSeconds: number;
  wallSeconds: number;
  mutatingCalls: number;
  /** Rules the run broke (local/harness/invariants.ts); empty when it kept them all. */
  invariantViolations: string[];
  /** For a triggered scenario: what the schedules and topics did, seconds from the start. */
  trigger?: Array<{ second: number; what: string }>;
  /** Where npm start wrote the HTML run report, relative to the working directory. */
  report?: string;
}
