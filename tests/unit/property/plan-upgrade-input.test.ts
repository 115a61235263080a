import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { planUpgrade } from '../../../functions/plan-upgrade/plan-upgrade.ts';
import { workflowErrorNames } from '../../../functions/shared/errors.ts';
import { mockValidCluster, mutatingCommand, validClusterName, validNodegroups } from './valid-cluster.ts';

// Hostile and malformed execution input into the plan step, against a valid cluster: every input
// either yields a plan or is refused with a named workflow error, and nothing is ever changed.
// Cases per property (numRuns): arbitrary JSON 300, near-valid objects 600; plus 12 fixed inputs.

const eksMock = mockClient(EKSClient);
const ssmMock = mockClient(SSMClient);
const deps = {
  eks: new EKSClient({ region: 'us-east-1' }),
  ssm: new SSMClient({ region: 'us-east-1' }),
  cloudWatch: new CloudWatchClient({ region: 'us-east-1' }),
  autoScaling: new AutoScalingClient({ region: 'us-east-1' }),
  ec2: new EC2Client({ region: 'us-east-1' }),
  allowedClusters: '*',
  now: () => new Date('2026-11-25T02:00:00Z'),
};
const namedErrors: ReadonlySet<string> = new Set(workflowErrorNames);

type Outcome = { kind: 'plan'; stages: number } | { kind: 'refused'; name: string; message: string };

async function planOutcome(input: unknown): Promise<Outcome> {
  try {
    const plan = await planUpgrade({ input, executionName: 'property' }, deps);
    return { kind: 'plan', stages: plan.stages.length };
  } catch (error) {
    if (!(error instanceof Error)) return { kind: 'refused', name: `non-Error ${typeof error}`, message: '' };
    return { kind: 'refused', name: error.name, message: error.message };
  }
}

/** Outcomes of the property runs, to show that they both planned and refused. */
const seen: Outcome[] = [];

/** The property: a plan, or a refusal by name (never TypeError, never a bare Error), and no change sent. */
async function refusesOrPlans(input: unknown): Promise<void> {
  eksMock.resetHistory();
  ssmMock.resetHistory();
  const outcome = await planOutcome(input);
  seen.push(outcome);
  if (outcome.kind === 'refused') {
    expect(namedErrors, `${outcome.name}: ${outcome.message}`).toContain(outcome.name);
    expect(outcome.message.length).toBeGreaterThan(0);
  }
  const sent = [...eksMock.calls(), ...ssmMock.calls()].map((call) => call.args[0].constructor.name);
  expect(sent.filter((name) => mutatingCommand.test(name))).toEqual([]);
}

const hostileStrings = [
  'a;rm -rf /',
  '../',
  '../../etc/passwd',
  'prod/../other',
  '$(reboot)',
  '`id`',
  "prod'; DROP TABLE clusters;--",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a Log4Shell-looking name, on purpose.
  '${jndi:ldap://example.invalid/a}',
  '<script>alert(1)</script>',
  'prod\n',
  ' prod',
  'prod\u0000',
  '%2e%2e%2f',
  'ünïcødé-cluster',
  '集群',
  '🚀',
  '\u202Eprod',
  '',
  '-',
  '_prod',
  'a'.repeat(101),
  'x'.repeat(100_000),
];

const anyScalar = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);

const clusterName = fc.oneof(
  { weight: 4, arbitrary: fc.constant(validClusterName) },
  { weight: 3, arbitrary: fc.constantFrom(...hostileStrings) },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,20}$/) },
  { weight: 1, arbitrary: anyScalar },
);

/**
 * Target versions the product can be trusted with in this process. A target of another major version
 * ("2.0") or a huge minor ("1.100000000") never returns today (see the test below), so the in-process
 * properties leave those out rather than hang the test worker.
 */
function isRunawayTarget(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const match = /^(\d+)\.(\d+)$/.exec(value);
  return match !== null && (Number(match[1]) !== 1 || Number(match[2]) > 999);
}

const targetVersion = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.constantFrom(
      '1.28',
      '1.29',
      '1.30',
      '1.31',
      '1.32',
      '1.27',
      '1.22',
      '1.0',
      '01.029',
      '1.999',
      'next',
      'latest',
      'NEXT',
      'v1.30',
      '1.30.0',
      '1',
      '1.',
      '.30',
      '-1.29',
      '1.-1',
      '1.29 ',
      '1,29',
      '1.29\n',
    ),
  },
  { weight: 2, arbitrary: fc.nat(999).map((minor) => `1.${minor}`) },
  { weight: 1, arbitrary: fc.constantFrom(...hostileStrings) },
  { weight: 2, arbitrary: anyScalar },
);

const nodegroupName = fc.oneof(
  fc.constantFrom(...validNodegroups),
  fc.constantFrom('ng-c', 'NG-A', 'ng-a '),
  fc.constantFrom(...hostileStrings),
  anyScalar,
);

const flag = fc.oneof(
  { weight: 4, arbitrary: fc.boolean() },
  fc.constantFrom('true', 'false', 1, 0, null, 'yes'),
);

/** A valid execution input: what a person or a schedule would send. */
const validInput = fc.record(
  {
    clusterName: fc.constant(validClusterName),
    targetVersion: fc.constantFrom('1.28', '1.29', '1.30', '1.31', 'next', 'latest'),
    nodegroups: fc.subarray(validNodegroups, { minLength: 1 }),
    force: fc.boolean(),
    acceptInsightErrors: fc.boolean(),
    dryRun: fc.boolean(),
    notify: fc.boolean(),
    maxConcurrentNodegroups: fc.integer({ min: 1, max: 40 }),
  },
  { requiredKeys: ['clusterName'] },
);

/** What each field may be replaced with: wrong types, hostile text, out-of-range numbers. */
const badValue: Record<string, fc.Arbitrary<unknown>> = {
  clusterName,
  targetVersion,
  nodegroups: fc.oneof(
    fc.array(nodegroupName, { maxLength: 4 }),
    fc.constant(['ng-a', 'ng-a']),
    fc.constant([]),
    fc.array(fc.constant('ng-a'), { minLength: 101, maxLength: 101 }),
    anyScalar,
  ),
  releaseVersion: fc.oneof(
    fc.constantFrom('1.29.15-20250101', '1.28.9-20240101', '1.30.15-20250101', '1.29.15', 'latest'),
    fc.constantFrom(...hostileStrings),
    anyScalar,
  ),
  launchTemplateVersions: fc.oneof(
    fc.dictionary(
      fc.oneof(fc.constantFrom(...validNodegroups), fc.constantFrom(...hostileStrings)),
      fc.oneof(fc.constantFrom('1', '7', '$Latest', '-1'), anyScalar),
    ),
    anyScalar,
  ),
  force: flag,
  acceptInsightErrors: flag,
  dryRun: flag,
  notify: flag,
  maxConcurrentNodegroups: fc.oneof(
    fc.integer({ min: -5, max: 45 }),
    fc.constantFrom(-1, 0, 0.5, 41, 1e9, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER),
    fc.double(),
    anyScalar,
  ),
  deadline: fc.oneof(
    fc.constantFrom('2026-11-25T06:00:00Z', '2026-02-30T00:00:00Z', '0000-01-01T00:00:00Z', 'tomorrow', ''),
    fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
    anyScalar,
  ),
  window: fc.oneof(
    fc.record(
      {
        start: fc.constantFrom('2026-11-25T02:00:00Z', '9999-12-31T23:59:59Z', 'now'),
        minutes: fc.integer({ min: -10, max: 20_000 }),
      },
      { requiredKeys: [] },
    ),
    anyScalar,
  ),
  unexpected: fc.jsonValue(),
};

/** One mutation of a valid input: a field replaced by a bad value, or dropped. */
const mutation = fc.oneof(
  fc
    .constantFrom(...Object.keys(badValue))
    .chain((field) => (badValue[field] ?? fc.constant(null)).map((value) => ({ field, value, drop: false }))),
  fc.constantFrom('clusterName', 'targetVersion').map((field) => ({ field, value: undefined, drop: true })),
);

/** Near-valid: a valid input with zero to three things wrong with it. */
const nearValidInput = fc
  .tuple(validInput, fc.array(mutation, { maxLength: 3 }))
  .map(([input, mutations]) => {
    const result: Record<string, unknown> = { ...input };
    for (const { field, value, drop } of mutations) {
      if (drop) delete result[field];
      else result[field] = value;
    }
    return result;
  })
  .filter((input) => !isRunawayTarget(input.targetVersion));

describe('planUpgrade with hostile and malformed execution input', () => {
  beforeEach(() => {
    eksMock.reset();
    ssmMock.reset();
    mockValidCluster(eksMock, ssmMock);
  });

  it('plans the valid input, so the properties below are about the input alone', async () => {
    expect(await planOutcome({ clusterName: validClusterName, targetVersion: '1.29' })).toEqual({
      kind: 'plan',
      stages: 1,
    });
  });

  it('refuses any JSON value by name, changing nothing (300 cases)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .jsonValue()
          .filter((value) => !isRunawayTarget((value as { targetVersion?: unknown } | null)?.targetVersion)),
        refusesOrPlans,
      ),
      { numRuns: 300 },
    );
  });

  it('plans or refuses near-valid input by name, changing nothing (600 cases)', async () => {
    seen.length = 0;
    await fc.assert(fc.asyncProperty(nearValidInput, refusesOrPlans), { numRuns: 600 });
    // Not vacuous: many inputs were planned and many refused.
    expect(seen.filter((outcome) => outcome.kind === 'plan').length).toBeGreaterThan(100);
    expect(seen.filter((outcome) => outcome.kind === 'refused').length).toBeGreaterThan(100);
  });

  it.each(
    [
      { clusterName: 'a;rm -rf /', targetVersion: '1.29' },
      { clusterName: '../', targetVersion: '1.29' },
      { clusterName: validClusterName, targetVersion: '1.999' },
      { clusterName: validClusterName, targetVersion: 'v1.30' },
      { clusterName: validClusterName, targetVersion: '1.29', maxConcurrentNodegroups: -1 },
      { clusterName: validClusterName, targetVersion: '1.29', nodegroups: ['ng-a', '../ng-b'] },
      { clusterName: validClusterName, targetVersion: '1.29', releaseVersion: '1.29.15-2025010' },
      { clusterName: '集群', targetVersion: '1.29' },
      { clusterName: 'x'.repeat(100_000), targetVersion: '1.29' },
      JSON.parse('{"clusterName":"prod","targetVersion":"1.29","__proto__":{"force":true}}'),
      [],
      'prod',
    ].map((input: unknown) => ({ input, label: JSON.stringify(input).slice(0, 70) })),
  )('refuses $label by name, changing nothing', async ({ input }) => {
    await refusesOrPlans(input);
    const outcome = await planOutcome(input);
    expect(outcome.kind === 'refused' ? outcome.name : outcome.kind).toMatch(
      /^(InvalidInputError|UnsupportedTargetError)$/,
    );
  });
});

// PRODUCT BUG (reported): controlPlaneHops walks one minor at a time from the current version to the
// target, so a target of another major version never ends and a huge minor builds a huge list;
// planUpgrade never returns. Each input runs in a process of its own that the test stops after 8 s.
describe('planUpgrade with a target it cannot climb to', () => {
  const script = fileURLToPath(new URL('./plan-in-subprocess.ts', import.meta.url));
  const run = promisify(execFile);

  it('the process runner itself plans a valid target (so a timeout below is the plan step, not the runner)', async () => {
    const input = JSON.stringify({ clusterName: validClusterName, targetVersion: '1.29' });
    const { stdout } = await run(process.execPath, ['--import', 'tsx', script, input], { timeout: 15_000 });
    expect(JSON.parse(stdout)).toEqual({ outcome: 'plan' });
  }, 20_000);

  it.concurrent.for(['2.0', '1.100000000', '1.99999999999999999999'])(
    'refuses targetVersion %s by name within seconds',
    { timeout: 15_000 },
    async (target, { expect }) => {
      const input = JSON.stringify({ clusterName: validClusterName, targetVersion: target });
      const outcome = await run(process.execPath, ['--import', 'tsx', script, input], {
        timeout: 8_000,
        killSignal: 'SIGKILL',
      }).then(
        ({ stdout }): { outcome: string; name?: string } => JSON.parse(stdout),
        (): { outcome: string; name?: string } => ({
          outcome: 'no answer within 8 s (planUpgrade did not return)',
        }),
      );
      expect(outcome).toMatchObject({ outcome: 'error' });
      expect(['UnsupportedTargetError', 'InvalidInputError']).toContain(outcome.name);
    },
  );
});
