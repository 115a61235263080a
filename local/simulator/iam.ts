import { readTemplate, type Template } from '../../scripts/template.ts';
import type { XmlObject } from './autoscaling.ts';
import type { StackSource } from './cloudformation.ts';
import { ApiError, hashHex, uuidFrom, type World } from './model.ts';
import type { IncomingRequest, Service } from './wire.ts';

// IAM as AWS evaluates a request: the caller's identity policies (from template.yaml's `Policies`,
// resolved the way this machine deploys them), the action and resource the Service Authorization
// Reference names for the operation, explicit Deny over Allow, implicit deny by default.

/** The access key id the local runner signs a template role's requests with (a Lambda execution role's key). */
export const roleAccessKeyId = (logicalId: string): string => `LOCAL${logicalId}`;

export interface IamOptions {
  /** The template whose roles are evaluated; default template.yaml. Tests pass a copy with a policy changed. */
  template?: Template;
  /** Parameter values; a parameter not given takes the template's Default. */
  parameters?: Record<string, string>;
  /** The stack name the ARNs are built with; default eks-upgrade. */
  stackName?: string;
  /**
   * Credentials that act as an administrator (a person at a terminal). Absent: every credential that
   * names no template role does. Given: any other credential is refused, so an untagged call is caught.
   */
  administratorAccessKeyIds?: readonly string[];
  /** IAM users by access key id (a person's own credentials): their identity policies, evaluated as a role's are. */
  users?: Readonly<Record<string, { name: string; statements: Statement[] }>>;
}

export interface Statement {
  effect: 'Allow' | 'Deny';
  actions: string[];
  resources: string[];
  /**
   * Condition StringEquals iam:PassedToService (the only condition modelled): the statement applies to
   * iam:PassRole for these services only; every other request lacks the key, so it never applies there.
   */
  passedToService?: string[];
}

/** What a request carries for conditions: the service a role is passed to, for iam:PassRole. */
export interface RequestContext {
  passedToService?: string;
}

interface Role {
  logicalId: string;
  /** The assumed-role (or user) ARN AWS names in a denial. */
  principalArn: string;
  statements: Statement[];
  /** GetCallerIdentity's UserId for an IAM user (AIDA...); a role's is its role id and session. */
  userId?: string;
}

/** Credentials STS AssumeRole handed out: a role of another account, acting there with full access. */
interface AssumedRole {
  roleArn: string;
  account: string;
  sessionArn: string;
}

type Principal =
  | { kind: 'administrator' }
  | { kind: 'role'; role: Role }
  | { kind: 'assumed'; assumed: AssumedRole }
  | { kind: 'unknown' };

type Params = Record<string, unknown>;

/** The ARNs of the resources a request can name, in AWS's formats (Service Authorization Reference). */
interface Arns {
  cluster(name: unknown): string;
  nodegroup(cluster: unknown, name: unknown): string;
  addon(cluster: unknown, name: unknown): string;
  fargateProfile(cluster: unknown, name: unknown): string;
  parameter(name: unknown): string;
  alarm(name: string): string;
  stack(name: unknown): string;
}

/** What one operation needs: its IAM action and the one resource it authorizes on. */
type Authorization = [action: string, resource: (params: Params, arns: Arns) => string];

const anyResource = () => '*';
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

// Adding an operation is one line. Resources per the Service Authorization Reference; `*` where the
// action supports no resource-level permissions.
const authorizations: Record<string, Authorization> = {
  // EKS names cluster/* in this denial (aws/aws-cli#5823); only Resource "*" matches it.
  'eks:ListClusters': ['eks:ListClusters', (_, a) => a.cluster('*')],
  'eks:DescribeCluster': ['eks:DescribeCluster', (p, a) => a.cluster(p.name)],
  'eks:ListNodegroups': ['eks:ListNodegroups', (p, a) => a.cluster(p.name)],
  // EC2's Describe actions have no resource-level permissions.
  'ec2:DescribeLaunchTemplateVersions': ['ec2:DescribeLaunchTemplateVersions', anyResource],
  'eks:ListFargateProfiles': ['eks:ListFargateProfiles', (p, a) => a.cluster(p.name)],
  'eks:DescribeFargateProfile': [
    'eks:DescribeFargateProfile',
    (p, a) => a.fargateProfile(p.name, p.fargateProfileName),
  ],
  'eks:DescribeNodegroup': ['eks:DescribeNodegroup', (p, a) => a.nodegroup(p.name, p.nodegroupName)],
  'eks:CreateNodegroup': ['eks:CreateNodegroup', (p, a) => a.cluster(p.name)],
  'eks:DeleteNodegroup': ['eks:DeleteNodegroup', (p, a) => a.nodegroup(p.name, p.nodegroupName)],
  'eks:UpdateNodegroupConfig': ['eks:UpdateNodegroupConfig', (p, a) => a.nodegroup(p.name, p.nodegroupName)],
  'eks:TagResource': ['eks:TagResource', (p) => text(p.resourceArn)],
  'eks:UntagResource': ['eks:UntagResource', (p) => text(p.resourceArn)],
  'eks:UpdateNodegroupVersion': [
    'eks:UpdateNodegroupVersion',
    (p, a) => a.nodegroup(p.name, p.nodegroupName),
  ],
  'eks:UpdateClusterVersion': ['eks:UpdateClusterVersion', (p, a) => a.cluster(p.name)],
  'eks:ListUpdates': ['eks:ListUpdates', (p, a) => a.cluster(p.name)],
  'eks:DescribeUpdate': ['eks:DescribeUpdate', (p, a) => updateResource(p, a)],
  'eks:ListAddons': ['eks:ListAddons', (p, a) => a.cluster(p.name)],
  'eks:DescribeAddon': ['eks:DescribeAddon', (p, a) => a.addon(p.name, p.addonName)],
  'eks:UpdateAddon': ['eks:UpdateAddon', (p, a) => a.addon(p.name, p.addonName)],
  'eks:ListInsights': ['eks:ListInsights', (p, a) => a.cluster(p.name)],
  'eks:DescribeInsight': ['eks:DescribeInsight', (p, a) => a.cluster(p.name)],
  'eks:StartInsightsRefresh': ['eks:StartInsightsRefresh', (p, a) => a.cluster(p.name)],
  'eks:DescribeInsightsRefresh': ['eks:DescribeInsightsRefresh', (p, a) => a.cluster(p.name)],
  'eks:DescribeAddonVersions': ['eks:DescribeAddonVersions', anyResource],
  'eks:DescribeClusterVersions': ['eks:DescribeClusterVersions', anyResource],
  'autoscaling:DescribeAutoScalingGroups': ['autoscaling:DescribeAutoScalingGroups', anyResource],
  'autoscaling:DescribeScalingActivities': ['autoscaling:DescribeScalingActivities', anyResource],
  'ssm:GetParameter': ['ssm:GetParameter', (p, a) => a.parameter(p.Name)],
  // CloudWatch names alarm:* in this denial (aws-samples/amazon-cloudwatch-auto-alarms#1).
  'cloudwatch:DescribeAlarms': ['cloudwatch:DescribeAlarms', (_, a) => a.alarm('*')],
  'sns:Publish': ['sns:Publish', (p) => text(p.TopicArn) || text(p.TargetArn)],
  'sfn:StartExecution': ['states:StartExecution', (p) => text(p.stateMachineArn)],
  'sfn:StopExecution': ['states:StopExecution', (p) => text(p.executionArn)],
  'sfn:DescribeExecution': ['states:DescribeExecution', (p) => text(p.executionArn)],
  'sfn:GetExecutionHistory': ['states:GetExecutionHistory', (p) => text(p.executionArn)],
  'sfn:ListExecutions': ['states:ListExecutions', (p) => text(p.stateMachineArn)],
  // Service-level actions: they name no resource (Step Functions developer guide, granular permissions).
  'sfn:SendTaskSuccess': ['states:SendTaskSuccess', anyResource],
  'sfn:SendTaskFailure': ['states:SendTaskFailure', anyResource],
  'sts:AssumeRole': ['sts:AssumeRole', (p) => text(p.RoleArn)],
  'cloudformation:DescribeStacks': ['cloudformation:DescribeStacks', (p, a) => a.stack(p.StackName)],
};

/** DescribeUpdate authorizes on the node group or add-on the request names, else on the cluster. */
function updateResource(p: Params, a: Arns): string {
  if (text(p.nodegroupName)) return a.nodegroup(p.name, p.nodegroupName);
  if (text(p.addonName)) return a.addon(p.name, p.addonName);
  return a.cluster(p.name);
}

/** A permission EKS checks on the caller beyond the operation's own action, and how it refuses. */
interface CallerCheck {
  operation: string;
  applies: (params: Params) => boolean;
  action: string;
  resource: (params: Params, arns: Arns) => string;
  /** The request's condition keys for this check (iam:PassedToService for iam:PassRole). */
  context?: RequestContext;
  /** Undefined: the service's standard access denial. */
  refusal?: () => ApiError;
}

// EKS-FACTS 7.6: EKS reads the template as the caller and answers with its own error, not AccessDenied.
const launchTemplateDenied = () =>
  new ApiError(
    'InvalidRequestException',
    400,
    'You are not authorized to describe the launch template version.',
  );
const sendsLaunchTemplate = (params: Params) => typeof params.launchTemplate === 'object';

const callerChecks: CallerCheck[] = [
  {
    operation: 'eks:UpdateNodegroupVersion',
    applies: sendsLaunchTemplate,
    action: 'ec2:DescribeLaunchTemplateVersions',
    resource: anyResource,
    refusal: launchTemplateDenied,
  },
  {
    operation: 'eks:CreateNodegroup',
    applies: sendsLaunchTemplate,
    action: 'ec2:DescribeLaunchTemplateVersions',
    resource: anyResource,
    refusal: launchTemplateDenied,
  },
  // Tag-on-create: EC2 and ECS authorize the tags of a create as TagResource; EKS is UNVERIFIED, so
  // the simulator is the stricter of the two and asks for it.
  {
    operation: 'eks:CreateNodegroup',
    applies: (params) =>
      typeof params.tags === 'object' && params.tags !== null && Object.keys(params.tags).length > 0,
    action: 'eks:TagResource',
    resource: (params, arns) => arns.nodegroup(params.name, params.nodegroupName),
  },
  {
    operation: 'eks:CreateNodegroup',
    applies: (params) => text(params.nodeRole) !== '',
    action: 'iam:PassRole',
    resource: (params) => text(params.nodeRole),
    context: { passedToService: 'eks.amazonaws.com' },
  },
];

/** Each service's answer to a denied request, in its own protocol's terms. */
const denials: Record<Service, { code: string; status: number }> = {
  eks: { code: 'AccessDeniedException', status: 403 },
  autoscaling: { code: 'AccessDenied', status: 403 },
  sns: { code: 'AuthorizationError', status: 403 },
  ssm: { code: 'AccessDeniedException', status: 400 },
  sfn: { code: 'AccessDeniedException', status: 400 },
  cloudwatch: { code: 'AccessDenied', status: 403 },
  sts: { code: 'AccessDenied', status: 403 },
  ec2: { code: 'UnauthorizedOperation', status: 403 },
  cloudformation: { code: 'AccessDenied', status: 403 },
};

/** An access key AWS does not know. */
const unrecognized: Record<Service, { code: string; status: number }> = {
  eks: { code: 'UnrecognizedClientException', status: 403 },
  autoscaling: { code: 'InvalidClientTokenId', status: 403 },
  sns: { code: 'InvalidClientTokenId', status: 403 },
  ssm: { code: 'UnrecognizedClientException', status: 400 },
  sfn: { code: 'UnrecognizedClientException', status: 400 },
  cloudwatch: { code: 'InvalidClientTokenId', status: 403 },
  sts: { code: 'InvalidClientTokenId', status: 403 },
  ec2: { code: 'AuthFailure', status: 401 },
  cloudformation: { code: 'InvalidClientTokenId', status: 403 },
};

/** An upper-case id part derived from a name, as IAM's unique ids look. */
function hashHexOf(name: string): string {
  return hashHex(name, 17).toUpperCase();
}

const compiled = new Map<string, RegExp>();

/** `*` and `?` as IAM reads them; actions ignore case, resources do not. */
export function iamPatternMatches(pattern: string, value: string, ignoreCase: boolean): boolean {
  const key = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let regex = compiled.get(key);
  if (!regex) {
    const source = pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&')))
      .join('');
    regex = new RegExp(`^${source}$`, ignoreCase ? 'is' : 's');
    compiled.set(key, regex);
  }
  return regex.test(value);
}

export type Decision = { allowed: true } | { allowed: false; explicit: boolean };

/** IAM's evaluation of identity policies: an explicit Deny wins, then any Allow, else implicit deny. */
export function evaluate(
  statements: readonly Statement[],
  action: string,
  resource: string,
  context: RequestContext = {},
): Decision {
  const matching = statements.filter(
    (s) =>
      s.actions.some((a) => iamPatternMatches(a, action, true)) &&
      s.resources.some((r) => iamPatternMatches(r, resource, false)) &&
      (s.passedToService === undefined ||
        (context.passedToService !== undefined && s.passedToService.includes(context.passedToService))),
  );
  if (matching.some((s) => s.effect === 'Deny')) return { allowed: false, explicit: true };
  return matching.some((s) => s.effect === 'Allow') ? { allowed: true } : { allowed: false, explicit: false };
}

/** AWS's denial sentence. SNS writes its prefix in capitals; `*`-only actions name no resource. */
export function denialMessage(
  principalArn: string,
  action: string,
  resource: string,
  decision: { explicit: boolean },
): string {
  const [prefix = '', name = ''] = action.split(':');
  const shown = prefix === 'sns' ? `SNS:${name}` : action;
  const on = resource === '*' ? '' : ` on resource: ${resource}`;
  const why = decision.explicit
    ? 'with an explicit deny in an identity-based policy'
    : `because no identity-based policy allows the ${shown} action`;
  return `User: ${principalArn} is not authorized to perform: ${shown}${on} ${why}`;
}

interface ResolveContext {
  template: Template;
  region: string;
  accountId: string;
  stackName: string;
  parameters: Record<string, string>;
}

/** A template value as this machine deploys it (the local runner builds the same ARNs). */
function resolve(value: unknown, ctx: ResolveContext): string {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (typeof value !== 'object' || value === null) throw new Error(`IAM: cannot resolve ${String(value)}`);
  if ('Ref' in value) return ref(String(value.Ref), ctx);
  if ('Fn::GetAtt' in value) {
    const [name = '', attribute = ''] = value['Fn::GetAtt'] as string[];
    return getAtt(name, attribute, ctx);
  }
  if ('Fn::Sub' in value) {
    const sub = value['Fn::Sub'];
    const [text, variables] = Array.isArray(sub)
      ? [String(sub[0]), sub[1] as Record<string, unknown>]
      : [String(sub), {}];
    return text.replace(/\$\{([\w:.]+)\}/g, (_, name: string) => {
      if (name in variables) return resolve(variables[name], ctx);
      const [resource = '', attribute] = name.split('.');
      return attribute ? getAtt(resource, attribute, ctx) : ref(name, ctx);
    });
  }
  throw new Error(`IAM: cannot resolve ${JSON.stringify(value)}`);
}

function ref(name: string, ctx: ResolveContext): string {
  const pseudo: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': ctx.region,
    'AWS::AccountId': ctx.accountId,
    'AWS::StackName': ctx.stackName,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const known = pseudo[name] ?? ctx.parameters[name];
  if (known !== undefined) return known;
  const parameter = ctx.template.Parameters?.[name] as { Default?: unknown } | undefined;
  if (parameter) return String(parameter.Default ?? '');
  const resource = ctx.template.Resources[name];
  if (resource?.Type === 'AWS::SNS::Topic')
    return `arn:aws:sns:${ctx.region}:${ctx.accountId}:${ctx.stackName}-${name}`;
  if (resource?.Type === 'AWS::Serverless::StateMachine') {
    const uri = String(resource.Properties?.DefinitionUri ?? name);
    const machine = `${ctx.stackName}-${uri.replace(/^.*\//, '').replace(/\.asl\.json$/, '')}`;
    return `arn:aws:states:${ctx.region}:${ctx.accountId}:stateMachine:${machine}`;
  }
  if (resource) return `${ctx.stackName}-${name}`;
  throw new Error(`IAM: the template defines no ${name}`);
}

function getAtt(name: string, attribute: string, ctx: ResolveContext): string {
  if (attribute === 'Arn' && ctx.template.Resources[name]?.Type === 'AWS::Serverless::Function') {
    return `arn:aws:lambda:${ctx.region}:${ctx.accountId}:function:${ctx.stackName}-${name}`;
  }
  throw new Error(`IAM: cannot resolve ${name}.${attribute}`);
}

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

/** A template Condition, as deployed with these parameters (Fn::Not, Fn::Equals, Fn::And, Fn::Or, Condition). */
function conditionHolds(value: unknown, ctx: ResolveContext): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'object' || value === null) return Boolean(value);
  if ('Condition' in value) {
    const named = (ctx.template as { Conditions?: Record<string, unknown> }).Conditions?.[
      String(value.Condition)
    ];
    return conditionHolds(named, ctx);
  }
  const args = (key: string) => (value as Record<string, unknown[]>)[key] ?? [];
  if ('Fn::Not' in value) return !conditionHolds(args('Fn::Not')[0], ctx);
  if ('Fn::And' in value) return args('Fn::And').every((item) => conditionHolds(item, ctx));
  if ('Fn::Or' in value) return args('Fn::Or').some((item) => conditionHolds(item, ctx));
  if ('Fn::Equals' in value) {
    const [a, b] = args('Fn::Equals');
    return resolve(a, ctx) === resolve(b, ctx);
  }
  throw new Error(`IAM: cannot evaluate the condition ${JSON.stringify(value)}`);
}

/** A policy list item as deployed: an Fn::If picks its branch; AWS::NoValue drops it. */
function deployedPolicy(policy: unknown, ctx: ResolveContext): unknown {
  if (typeof policy !== 'object' || policy === null || !('Fn::If' in policy)) return policy;
  const [condition, yes, no] = policy['Fn::If'] as [string, unknown, unknown];
  const picked = conditionHolds({ Condition: condition }, ctx) ? yes : no;
  const noValue =
    typeof picked === 'object' && picked !== null && 'Ref' in picked && picked.Ref === 'AWS::NoValue';
  return noValue ? undefined : deployedPolicy(picked, ctx);
}

/** A statement's Resource entries: an Fn::Split gives several. */
function resourcesOf(value: unknown, ctx: ResolveContext): string[] {
  if (typeof value === 'object' && value !== null && 'Fn::Split' in value) {
    const [separator, source] = value['Fn::Split'] as [string, unknown];
    return resolve(source, ctx).split(separator);
  }
  return [resolve(value, ctx)];
}

/**
 * A statement's Condition, when it is the one the simulator models (StringEquals iam:PassedToService);
 * any other would be allowed more than AWS allows it, so the template is refused.
 */
function passedToServiceOf(condition: unknown, logicalId: string): string[] | undefined {
  if (condition === undefined) return undefined;
  const equals = (condition as { StringEquals?: Record<string, unknown> }).StringEquals;
  const keys = Object.keys(condition as object);
  if (keys.length !== 1 || !equals || Object.keys(equals).join() !== 'iam:PassedToService') {
    throw new Error(
      `IAM: ${logicalId} has a Condition the simulator does not model (only StringEquals iam:PassedToService): ${JSON.stringify(condition)}`,
    );
  }
  return asList(equals['iam:PassedToService']).map(String);
}

/** The roles of the template's functions and state machines, each with its resolved statements. */
function rolesOf(ctx: ResolveContext): Map<string, Role> {
  const roles = new Map<string, Role>();
  for (const [logicalId, resource] of Object.entries(ctx.template.Resources)) {
    const isFunction = resource.Type === 'AWS::Serverless::Function';
    if (!isFunction && resource.Type !== 'AWS::Serverless::StateMachine') continue;
    const policies = asList(resource.Properties?.Policies ?? [])
      .map((policy) => deployedPolicy(policy, ctx))
      .filter((policy) => policy !== undefined);
    const statements = policies.flatMap((policy) => {
      if (typeof policy !== 'object' || policy === null || !('Statement' in policy)) {
        throw new Error(
          `IAM: ${logicalId} has a policy the simulator does not model: ${JSON.stringify(policy)}`,
        );
      }
      return asList(policy.Statement).map((raw): Statement => {
        const s = raw as { Effect?: string; Action?: unknown; Resource?: unknown; Condition?: unknown };
        const passedToService = passedToServiceOf(s.Condition, logicalId);
        // Evaluating a statement without its condition would allow more than AWS does.
        for (const unmodelled of ['NotAction', 'NotResource', 'Principal']) {
          if (typeof raw === 'object' && raw !== null && unmodelled in raw) {
            throw new Error(
              `IAM: ${logicalId} has a statement with ${unmodelled}, which the simulator does not model`,
            );
          }
        }
        return {
          effect: s.Effect === 'Deny' ? 'Deny' : 'Allow',
          actions: asList(s.Action).map(String),
          resources: asList(s.Resource).flatMap((r) => resourcesOf(r, ctx)),
          ...(passedToService ? { passedToService } : {}),
        };
      });
    });
    // Lambda names the session after the function; SAM names the role <stack>-<LogicalId>Role-<suffix>.
    const session = isFunction ? `${ctx.stackName}-${logicalId}` : `${logicalId}-session`;
    roles.set(logicalId, {
      logicalId,
      principalArn: `arn:aws:sts::${ctx.accountId}:assumed-role/${ctx.stackName}-${logicalId}Role/${session}`,
      statements,
    });
  }
  return roles;
}

/** The access key id of a SigV4 `Authorization` header. */
function accessKeyIdOf(request: IncomingRequest): string | undefined {
  return /Credential=([^/,\s]+)\//.exec(request.headers.authorization ?? '')?.[1];
}

export interface Iam {
  /** The template role that signed the request, else its access key id. */
  callerOf(request: IncomingRequest): string | undefined;
  /** The refusal of this request, or undefined when IAM allows it. */
  check(request: IncomingRequest, service: Service, operation: string, params: Params): ApiError | undefined;
  /** AWS's denial sentence when a template role may not do this (for calls AWS makes in-process), else undefined. */
  roleDenial(logicalId: string, action: string, resource: string): string | undefined;
  /** Who signed the request, as GetCallerIdentity answers; undefined for an unknown key. */
  identityOf(request: IncomingRequest): { arn: string; userId: string; account: string } | undefined;
  /**
   * STS AssumeRole for the request's signer: credentials for a scenario role that trusts its account.
   * @throws ApiError AccessDenied when the role does not exist, does not trust the signer, or the signer may not.
   */
  assumeRole(
    request: IncomingRequest,
    roleArn: string,
    sessionName: string,
    durationSeconds: number,
  ): XmlObject;
}

/** IAM over the world's resources, with the template's roles. */
export function createIam(world: World, options: IamOptions = {}, stacks: StackSource = () => []): Iam {
  const { region, accountId } = world.scenario;
  const ctx: ResolveContext = {
    template: options.template ?? readTemplate(),
    region,
    accountId,
    stackName: options.stackName ?? 'eks-upgrade',
    parameters: options.parameters ?? {},
  };
  const roles = rolesOf(ctx);
  const byAccessKey = new Map<string, Role>([
    ...[...roles.values()].map((role): [string, Role] => [roleAccessKeyId(role.logicalId), role]),
    ...Object.entries(options.users ?? {}).map(([key, user]): [string, Role] => [
      key,
      {
        logicalId: user.name,
        principalArn: `arn:aws:iam::${accountId}:user/${user.name}`,
        statements: user.statements,
        userId: `AIDA${hashHexOf(user.name)}`,
      },
    ]),
  ]);
  const administrators = options.administratorAccessKeyIds && new Set(options.administratorAccessKeyIds);

  const eksArn = `arn:aws:eks:${region}:${accountId}`;
  const clusterNamed = (name: unknown) => world.clusters.find((c) => c.name === text(name));
  const arns: Arns = {
    cluster: (name) => `${eksArn}:cluster/${text(name)}`,
    // The UUID suffix is the resource's own; for one that does not exist, the one it would get.
    nodegroup: (cluster, name) =>
      clusterNamed(cluster)?.nodegroups.find((ng) => ng.name === text(name))?.arn ??
      `${eksArn}:nodegroup/${text(cluster)}/${text(name)}/${uuidFrom(`${text(cluster)}/${text(name)}`)}`,
    addon: (cluster, name) =>
      clusterNamed(cluster)?.addons.find((a) => a.name === text(name))?.arn ??
      `${eksArn}:addon/${text(cluster)}/${text(name)}/${uuidFrom(`${text(cluster)}/addon/${text(name)}`)}`,
    fargateProfile: (cluster, name) =>
      clusterNamed(cluster)?.fargateProfiles.find((p) => p.name === text(name))?.arn ??
      `${eksArn}:fargateprofile/${text(cluster)}/${text(name)}/${uuidFrom(`${text(cluster)}/fargate/${text(name)}`)}`,
    // Public parameters (/aws/service/...) have no account in their ARN.
    parameter: (name) => {
      const path = text(name).startsWith('/') ? text(name) : `/${text(name)}`;
      const owner = path.startsWith('/aws/') ? '' : accountId;
      return `arn:aws:ssm:${region}:${owner}:parameter${path}`;
    },
    alarm: (name) => `arn:aws:cloudwatch:${region}:${accountId}:alarm:${name}`,
    // A stack's own id (ending in its UUID), found by name or id; AWS names stack/<name>/* for one
    // that does not exist (serverless/serverless#8509).
    stack: (name) =>
      stacks().find((stack) => stack.name === text(name) || stack.id === text(name))?.id ??
      `arn:aws:cloudformation:${region}:${accountId}:stack/${text(name)}/*`,
  };

  const assumedByKey = new Map<string, AssumedRole>();
  const principalOf = (request: IncomingRequest): Principal => {
    const key = accessKeyIdOf(request);
    const role = key === undefined ? undefined : byAccessKey.get(key);
    if (role) return { kind: 'role', role };
    const assumed = key === undefined ? undefined : assumedByKey.get(key);
    if (assumed) return { kind: 'assumed', assumed };
    if (!administrators || (key !== undefined && administrators.has(key))) return { kind: 'administrator' };
    return { kind: 'unknown' };
  };

  return {
    callerOf(request) {
      const key = accessKeyIdOf(request);
      if (key === undefined) return undefined;
      return byAccessKey.get(key)?.logicalId ?? assumedByKey.get(key)?.sessionArn ?? key;
    },
    assumeRole(request, roleArn, sessionName, durationSeconds) {
      const principal = principalOf(request);
      const callerArn =
        principal.kind === 'role'
          ? principal.role.principalArn
          : principal.kind === 'assumed'
            ? principal.assumed.sessionArn
            : `arn:aws:iam::${accountId}:user/${accessKeyIdOf(request) ?? 'operator'}`;
      const callerAccount = principal.kind === 'assumed' ? principal.assumed.account : accountId;
      const target = world.scenario.roles.find((candidate) => candidate.arn === roleArn);
      // AWS answers a role that does not exist, or does not trust the caller, as it answers a denial.
      if (!target || !(target.trusts ?? [accountId]).includes(callerAccount)) {
        throw new ApiError(
          'AccessDenied',
          403,
          `User: ${callerArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
        );
      }
      // A role's credentials assuming another role is role chaining: at most an hour (STS API reference).
      if (principal.kind !== 'administrator' && durationSeconds > 3600) {
        throw new ApiError(
          'ValidationError',
          400,
          'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
        );
      }
      const account = roleArn.split(':')[4] ?? '';
      const roleName = roleArn.split('/').at(-1) ?? '';
      const accessKeyId = `ASIA${hashHex(`${roleArn}/${sessionName}`, 16).toUpperCase()}`;
      const sessionArn = `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`;
      assumedByKey.set(accessKeyId, { roleArn, account, sessionArn });
      return {
        Credentials: {
          AccessKeyId: accessKeyId,
          SecretAccessKey: hashHex(`${accessKeyId}/secret`, 40),
          SessionToken: hashHex(`${accessKeyId}/token`, 64),
          Expiration: new Date(world.clock + durationSeconds * 1000).toISOString(),
        },
        AssumedRoleUser: { AssumedRoleId: `AROA${hashHexOf(roleArn)}:${sessionName}`, Arn: sessionArn },
      };
    },
    identityOf(request) {
      const principal = principalOf(request);
      if (principal.kind === 'unknown') return undefined;
      if (principal.kind === 'assumed') {
        return {
          arn: principal.assumed.sessionArn,
          userId: `AROA${hashHexOf(principal.assumed.roleArn)}`,
          account: principal.assumed.account,
        };
      }
      if (principal.kind === 'role') {
        return {
          arn: principal.role.principalArn,
          userId: principal.role.userId ?? `AROA${hashHexOf(principal.role.logicalId)}:session`,
          account: accountId,
        };
      }
      const key = accessKeyIdOf(request) ?? 'operator';
      return {
        arn: `arn:aws:iam::${accountId}:user/${key}`,
        userId: `AIDA${hashHexOf(key)}`,
        account: accountId,
      };
    },
    check(request, service, operation, params) {
      const principal = principalOf(request);
      // A cluster is seen only by credentials of its own account (a role assumed there, for another's).
      const callerAccount = principal.kind === 'assumed' ? principal.assumed.account : accountId;
      const cluster = service === 'eks' ? clusterNamed(params.name ?? params.clusterName) : undefined;
      if (cluster && cluster.accountId !== callerAccount) {
        return new ApiError('ResourceNotFoundException', 404, `No cluster found for name: ${cluster.name}.`);
      }
      if (principal.kind === 'administrator' || principal.kind === 'assumed') return undefined;
      // GetCallerIdentity needs no permission; an explicit deny cannot refuse it (STS API reference).
      if (service === 'sts' && operation === 'GetCallerIdentity' && principal.kind === 'role')
        return undefined;
      if (principal.kind === 'unknown') {
        const { code, status } = unrecognized[service];
        return new ApiError(code, status, 'The security token included in the request is invalid.');
      }
      const { role } = principal;
      const key = `${service}:${operation}`;
      const authorization = authorizations[key];
      // An operation the table does not know is refused: a hole in the table must not pass silently.
      const [action, resourceFor] = authorization ?? [`${service}:${operation}`, anyResource];
      const resource = resourceFor(params, arns);
      const decision = evaluate(role.statements, action, resource);
      if (!decision.allowed) {
        const { code, status } = denials[service];
        return new ApiError(code, status, denialMessage(role.principalArn, action, resource, decision));
      }
      for (const extra of callerChecks) {
        if (extra.operation !== key || !extra.applies(params)) continue;
        const extraResource = extra.resource(params, arns);
        const extraDecision = evaluate(role.statements, extra.action, extraResource, extra.context);
        if (extraDecision.allowed) continue;
        return (
          extra.refusal?.() ??
          new ApiError(
            denials[service].code,
            denials[service].status,
            denialMessage(role.principalArn, extra.action, extraResource, extraDecision),
          )
        );
      }
      return undefined;
    },
    roleDenial(logicalId, action, resource) {
      const role = roles.get(logicalId);
      if (!role) return `The template defines no role for ${logicalId}`;
      const decision = evaluate(role.statements, action, resource);
      return decision.allowed ? undefined : denialMessage(role.principalArn, action, resource, decision);
    },
  };
}
