import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTemplate, templateFunctions } from '../../scripts/template.ts';

/** IAM service prefix of each SDK client package the functions use. */
const iamPrefixByClient: Record<string, string> = {
  'client-eks': 'eks',
  'client-auto-scaling': 'autoscaling',
  'client-sns': 'sns',
  'client-ssm': 'ssm',
  'client-sfn': 'states',
  'client-cloudwatch': 'cloudwatch',
  'client-ec2': 'ec2',
};

/**
 * Permissions AWS checks on the caller beyond an operation's own action (EKS-FACTS 7.6): EKS reads a
 * node group's launch template as the caller, and passes a node role on its behalf.
 */
const callerPermissions: Record<string, string[]> = {
  'eks:UpdateNodegroupVersion': ['ec2:DescribeLaunchTemplateVersions'],
  // PassRole on the node role; EKS reads a launch template as the caller; tags on create (UNVERIFIED for EKS, checked by the simulator).
  'eks:CreateNodegroup': ['iam:PassRole', 'ec2:DescribeLaunchTemplateVersions', 'eks:TagResource'],
};

/** Actions whose APIs have no resource-level permissions, so '*' is the only possible resource. */
const resourceStarAllowed = new Set([
  'ec2:DescribeLaunchTemplateVersions',
  'autoscaling:DescribeAutoScalingGroups',
  'eks:ListClusters',
  'eks:DescribeClusterVersions',
  'eks:DescribeAddonVersions',
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
]);

/** The IAM actions a function's code can call: SDK commands and paginators imported by its module graph. */
function actionsCalledFrom(entryPoint: string): Set<string> {
  const actions = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'([^']+)'/g)) {
      const [, names = '', from = ''] = match;
      if (from.startsWith('.')) {
        const target = normalize(join(dirname(file), from));
        if (existsSync(target)) visit(target);
        continue;
      }
      // Credentials from an assumed role (a cluster in another account): STS AssumeRole, as the function.
      if (from === '@aws-sdk/credential-providers' && names.includes('fromTemporaryCredentials'))
        actions.add('sts:AssumeRole');
      const client = /^@aws-sdk\/(client-[\w-]+)$/.exec(from)?.[1];
      const prefix = client ? iamPrefixByClient[client] : undefined;
      if (!prefix) continue;
      for (const raw of names.split(',')) {
        const name = raw.replace(/^\s*type\s+/, '').trim();
        if (raw.trim().startsWith('type ')) continue;
        const command = /^(\w+)Command$/.exec(name)?.[1] ?? /^paginate(\w+)$/.exec(name)?.[1];
        if (command) actions.add(`${prefix}:${command}`);
      }
    }
  };
  visit(entryPoint);
  return actions;
}

interface Statement {
  Action: string | string[];
  Resource: unknown;
}

/** Every statement a deployment may have: both branches of a conditional policy (Fn::If) count. */
function statementsOf(properties: Record<string, unknown>): Statement[] {
  const policies = (properties.Policies as unknown[] | undefined) ?? [];
  const branches = (policy: unknown): Array<{ Statement?: Statement[] }> => {
    if (typeof policy !== 'object' || policy === null) return [];
    if ('Fn::If' in policy) return (policy['Fn::If'] as unknown[]).slice(1).flatMap(branches);
    return 'Statement' in policy ? [policy as { Statement?: Statement[] }] : [];
  };
  return policies.flatMap(branches).flatMap((policy) => policy.Statement ?? []);
}

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

const template = readTemplate();

describe('least privilege', () => {
  for (const fn of templateFunctions(template)) {
    it(`${fn.logicalId} is allowed exactly the AWS calls its code makes`, () => {
      const allowed = new Set(statementsOf(fn.properties).flatMap((statement) => asList(statement.Action)));
      const called = [...actionsCalledFrom(fn.entryPoint)];
      const needed = new Set([...called, ...called.flatMap((action) => callerPermissions[action] ?? [])]);
      expect([...allowed].sort()).toEqual([...needed].sort());
    });
  }

  it('scopes every statement to resources, except APIs that have no resource-level permissions', () => {
    const resources = Object.values(template.Resources).flatMap((resource) =>
      statementsOf(resource.Properties ?? {}),
    );
    expect(resources.length).toBeGreaterThan(0);
    for (const statement of resources) {
      for (const action of asList(statement.Action)) {
        expect(action, 'no wildcard actions').not.toContain('*');
        if (asList(statement.Resource).includes('*'))
          expect(resourceStarAllowed.has(action), action).toBe(true);
      }
    }
  });

  it('sees the calls a function makes (the scan itself works)', () => {
    expect(actionsCalledFrom('functions/update-control-plane/handler.ts')).toEqual(
      new Set([
        'eks:DescribeCluster',
        'eks:ListInsights',
        'eks:DescribeInsight',
        'eks:DescribeInsightsRefresh',
        'eks:StartInsightsRefresh',
        'eks:UpdateClusterVersion',
        'eks:ListUpdates',
        'eks:DescribeUpdate',
        'sts:AssumeRole',
      ]),
    );
  });
});
