import { z } from 'zod';
import {
  type Addon,
  ApiError,
  type Cluster,
  compareAddonVersions,
  hashHex,
  type Insight,
  type InsightsRefresh,
  type Nodegroup,
  type UpdateRecord,
  type World,
} from './model.ts';
import { compareMinor } from './scenario.ts';
import {
  type IncomingRequest,
  paginate,
  parseWith,
  queryRecord,
  type Reply,
  type RoutedRequest,
  seconds,
} from './wire.ts';

// Amazon EKS over restJson1: routes by method + path, JSON bodies, epoch-second timestamps, errors named by
// the x-amzn-ErrorType header (EKS-FACTS §1).

type Labels = Record<string, string>;
type Handler = (world: World, labels: Labels, request: IncomingRequest) => Record<string, unknown>;

const invalid = (message: string): ApiError => new ApiError('InvalidParameterException', 400, message);

function jsonBody(request: IncomingRequest): unknown {
  if (request.body.trim() === '') return {};
  try {
    return JSON.parse(request.body);
  } catch {
    throw new ApiError('BadRequestException', 400, 'The request body is not valid JSON');
  }
}

function query(request: IncomingRequest, name: string): string | undefined {
  return request.query.get(name) ?? undefined;
}

function intQuery(request: IncomingRequest, name: string): number | undefined {
  const value = query(request, name);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw invalid(`${name} must be an integer`);
  return n;
}

function page<T>(items: readonly T[], request: IncomingRequest): { page: T[]; nextToken?: string } {
  return paginate(
    items,
    {
      maxResults: intQuery(request, 'maxResults'),
      nextToken: query(request, 'nextToken'),
      defaultMax: 100,
      limit: 100,
      maxName: 'maxResults',
    },
    invalid,
  );
}

// ---- shapes ------------------------------------------------------------------------------------

function clusterShape(world: World, c: Cluster): Record<string, unknown> {
  const { region, accountId } = world.scenario;
  const hex = hashHex(`${c.name}/endpoint`, 32).toUpperCase();
  return {
    name: c.name,
    arn: c.arn,
    id: c.id,
    createdAt: seconds(c.createdAt),
    version: c.version,
    endpoint: `https://${hex}.gr7.${region}.eks.amazonaws.com`,
    roleArn: `arn:aws:iam::${accountId}:role/eksctl-${c.name}-cluster-ServiceRole`,
    resourcesVpcConfig: {
      subnetIds: c.subnetIds,
      securityGroupIds: [],
      clusterSecurityGroupId: `sg-0${hashHex(`${c.name}/sg`, 16)}`,
      vpcId: c.vpcId,
      endpointPublicAccess: true,
      endpointPrivateAccess: false,
      publicAccessCidrs: ['0.0.0.0/0'],
    },
    kubernetesNetworkConfig: { serviceIpv4Cidr: '10.100.0.0/16', ipFamily: 'ipv4' },
    logging: {
      clusterLogging: [
        { types: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'], enabled: false },
      ],
    },
    identity: { oidc: { issuer: `https://oidc.eks.${region}.amazonaws.com/id/${hex}` } },
    status: c.status,
    certificateAuthority: {
      data: Buffer.from(`simulated certificate authority for ${c.name}`).toString('base64'),
    },
    platformVersion: c.platformVersion,
    tags: {},
    health: { issues: [] },
    accessConfig: { authenticationMode: 'CONFIG_MAP' },
    upgradePolicy: { supportType: c.supportType },
    ...(c.autoMode
      ? {
          computeConfig: {
            enabled: true,
            nodePools: ['general-purpose', 'system'],
            nodeRoleArn: `arn:aws:iam::${accountId}:role/eks-auto-mode-node-role`,
          },
        }
      : {}),
  };
}

function nodegroupShape(c: Cluster, ng: Nodegroup): Record<string, unknown> {
  return {
    nodegroupName: ng.name,
    nodegroupArn: ng.arn,
    clusterName: c.name,
    version: ng.version,
    releaseVersion: ng.releaseVersion,
    createdAt: seconds(ng.createdAt),
    modifiedAt: seconds(ng.modifiedAt),
    status: ng.status,
    capacityType: ng.capacityType,
    scalingConfig: { minSize: ng.minSize, maxSize: ng.maxSize, desiredSize: ng.desiredSize },
    instanceTypes: [ng.instanceType],
    subnets: ng.asg.subnetIds,
    amiType: ng.amiType,
    nodeRole: ng.nodeRole,
    labels: ng.labels ?? {},
    ...(ng.taints?.length ? { taints: ng.taints } : {}),
    resources: { autoScalingGroups: ng.asg.deleted ? [] : [{ name: ng.asg.name }] },
    health: { issues: [] },
    updateConfig: {
      ...(ng.maxUnavailablePercentage === undefined
        ? { maxUnavailable: ng.maxUnavailable }
        : { maxUnavailablePercentage: ng.maxUnavailablePercentage }),
      ...(ng.updateStrategy ? { updateStrategy: ng.updateStrategy } : {}),
    },
    ...(ng.nodeRepairEnabled === undefined ? {} : { nodeRepairConfig: { enabled: ng.nodeRepairEnabled } }),
    ...(ng.remoteAccess ? { remoteAccess: ng.remoteAccess } : {}),
    tags: ng.tags ?? {},
    ...(ng.customLaunchTemplate
      ? {
          launchTemplate: {
            name: ng.customLaunchTemplate.name,
            id: ng.customLaunchTemplate.id,
            version: String(ng.customLaunchTemplate.version),
          },
        }
      : { diskSize: ng.diskSize ?? 20 }),
  };
}

function insightShape(world: World, c: Cluster, i: Insight): Record<string, unknown> {
  return {
    id: i.id,
    name: i.name,
    category: i.category,
    kubernetesVersion: i.kubernetesVersion,
    lastRefreshTime: seconds(c.insightsRefreshedAt ?? world.start),
    lastTransitionTime: seconds(i.transitionedAt),
    description: i.description,
    insightStatus: { status: i.status, reason: i.reason },
  };
}

function insightsRefreshShape(refresh: InsightsRefresh): Record<string, unknown> {
  return {
    status: refresh.status,
    message:
      refresh.status === 'IN_PROGRESS'
        ? 'Insights refresh is in progress'
        : `Insights refresh ${refresh.status}`,
    startedAt: seconds(refresh.startedAt),
    ...(refresh.endedAt === undefined ? {} : { endedAt: seconds(refresh.endedAt) }),
  };
}

function updateShape(u: UpdateRecord): Record<string, unknown> {
  return {
    id: u.id,
    status: u.status,
    type: u.type,
    params: u.params,
    createdAt: seconds(u.createdAt),
    errors: u.errors,
  };
}

function addonShape(c: Cluster, a: Addon): Record<string, unknown> {
  return {
    addonName: a.name,
    clusterName: c.name,
    status: a.status,
    addonVersion: a.version,
    health: { issues: [] },
    addonArn: a.arn,
    createdAt: seconds(a.createdAt),
    modifiedAt: seconds(a.modifiedAt),
    tags: {},
  };
}

// ---- operations ----------------------------------------------------------------------------------

const updateClusterVersionBody = z.object({
  version: z.string(),
  clientRequestToken: z.string().optional(),
  force: z.boolean().optional(),
  // A rollback's timeout (EKS-FACTS 7.1): 120-10080 minutes, default 720.
  rollbackConfig: z.object({ timeoutMinutes: z.int().min(120).max(10080).optional() }).optional(),
});

const updateNodegroupVersionBody = z.object({
  version: z.string().optional(),
  releaseVersion: z.string().optional(),
  launchTemplate: z
    .object({ name: z.string().optional(), version: z.string().optional(), id: z.string().optional() })
    .optional(),
  force: z.boolean().optional(),
  clientRequestToken: z.string().optional(),
});

const updateAddonBody = z.object({
  addonVersion: z.string().optional(),
  resolveConflicts: z.enum(['OVERWRITE', 'NONE', 'PRESERVE']).optional(),
  clientRequestToken: z.string().optional(),
});

const scalingConfig = z.object({
  minSize: z.int().min(0).optional(),
  maxSize: z.int().min(1).optional(),
  desiredSize: z.int().min(0).optional(),
});

const updateConfig = z.object({
  maxUnavailable: z.int().optional(),
  maxUnavailablePercentage: z.int().optional(),
  updateStrategy: z.enum(['DEFAULT', 'MINIMAL']).optional(),
});

const taint = z.object({
  key: z.string().min(1).max(63),
  value: z.string().max(63).optional(),
  effect: z.enum(['NO_SCHEDULE', 'NO_EXECUTE', 'PREFER_NO_SCHEDULE']),
});

const nodeRepairConfig = z.object({ enabled: z.boolean().optional() });

const createNodegroupBody = z.object({
  nodegroupName: z.string().min(1).max(63),
  subnets: z.array(z.string()),
  nodeRole: z.string(),
  scalingConfig: scalingConfig.optional(),
  instanceTypes: z.array(z.string()).max(20).optional(),
  amiType: z.string().optional(),
  capacityType: z.enum(['ON_DEMAND', 'SPOT', 'CAPACITY_BLOCK']).optional(),
  diskSize: z.int().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  taints: z.array(taint).optional(),
  tags: z.record(z.string(), z.string()).optional(),
  launchTemplate: z
    .object({ name: z.string().optional(), version: z.string().optional(), id: z.string().optional() })
    .optional(),
  updateConfig: updateConfig.optional(),
  nodeRepairConfig: nodeRepairConfig.optional(),
  remoteAccess: z
    .object({ ec2SshKey: z.string().optional(), sourceSecurityGroups: z.array(z.string()).optional() })
    .optional(),
  version: z.string().optional(),
  releaseVersion: z.string().optional(),
  clientRequestToken: z.string().optional(),
});

const updateNodegroupConfigBody = z.object({
  labels: z
    .object({
      addOrUpdateLabels: z.record(z.string(), z.string()).optional(),
      removeLabels: z.array(z.string()).optional(),
    })
    .optional(),
  taints: z
    .object({ addOrUpdateTaints: z.array(taint).optional(), removeTaints: z.array(taint).optional() })
    .optional(),
  scalingConfig: scalingConfig.optional(),
  updateConfig: updateConfig.optional(),
  nodeRepairConfig: nodeRepairConfig.optional(),
  clientRequestToken: z.string().optional(),
});

const tagResourceBody = z.object({ tags: z.record(z.string(), z.string()) });

/** TagResource and UntagResource refuse bad requests as BadRequestException (EKS API reference). */
const badRequest = (message: string): ApiError => new ApiError('BadRequestException', 400, message);

const listInsightsBody = z.object({
  filter: z
    .object({
      categories: z.array(z.string()).optional(),
      kubernetesVersions: z.array(z.string()).optional(),
      statuses: z.array(z.string()).optional(),
    })
    .optional(),
  maxResults: z.int().optional(),
  nextToken: z.string().optional(),
});

const operations: Record<string, Handler> = {
  ListClusters: (world, _labels, request) => {
    const { page: clusters, nextToken } = page(
      world.clusters.filter((c) => !c.deleted).map((c) => c.name),
      request,
    );
    return { clusters, nextToken };
  },
  DescribeCluster: (world, { name = '' }) => ({ cluster: clusterShape(world, world.cluster(name)) }),
  ListNodegroups: (world, { name = '' }, request) => {
    const { page: nodegroups, nextToken } = page(
      world.cluster(name).nodegroups.map((ng) => ng.name),
      request,
    );
    return { nodegroups, nextToken };
  },
  ListFargateProfiles: (world, { name = '' }, request) => {
    const { page: fargateProfileNames, nextToken } = page(
      world.cluster(name).fargateProfiles.map((profile) => profile.name),
      request,
    );
    return { fargateProfileNames, nextToken };
  },
  DescribeFargateProfile: (world, { name = '', fargateProfileName = '' }) => {
    const cluster = world.cluster(name);
    const profile = cluster.fargateProfiles.find((candidate) => candidate.name === fargateProfileName);
    if (!profile) {
      throw new ApiError(
        'ResourceNotFoundException',
        404,
        `No Fargate Profile found with name: ${fargateProfileName}.`,
        {
          clusterName: name,
          fargateProfileName,
        },
      );
    }
    return {
      fargateProfile: {
        fargateProfileName: profile.name,
        fargateProfileArn: profile.arn,
        clusterName: cluster.name,
        createdAt: seconds(profile.createdAt),
        podExecutionRoleArn: `arn:aws:iam::${cluster.accountId}:role/eks-fargate-pod-execution-role`,
        subnets: cluster.subnetIds,
        selectors: profile.selectors,
        status: 'ACTIVE',
        tags: {},
      },
    };
  },
  DescribeNodegroup: (world, { name = '', nodegroupName = '' }) => ({
    nodegroup: nodegroupShape(world.cluster(name), world.nodegroup(name, nodegroupName)),
  }),
  CreateNodegroup: (world, { name = '' }, request) => {
    const body = parseWith(createNodegroupBody, jsonBody(request), invalid);
    return { nodegroup: nodegroupShape(world.cluster(name), world.createNodegroup(name, body)) };
  },
  DeleteNodegroup: (world, { name = '', nodegroupName = '' }) => ({
    nodegroup: nodegroupShape(world.cluster(name), world.deleteNodegroup(name, nodegroupName)),
  }),
  UpdateNodegroupConfig: (world, { name = '', nodegroupName = '' }, request) => {
    const body = parseWith(updateNodegroupConfigBody, jsonBody(request), invalid);
    return { update: updateShape(world.updateNodegroupConfig(name, nodegroupName, body)) };
  },
  TagResource: (world, { resourceArn = '' }, request) => {
    const body = parseWith(tagResourceBody, jsonBody(request), badRequest);
    world.tagResource(resourceArn, body.tags);
    return {};
  },
  UntagResource: (world, { resourceArn = '' }, request) => {
    const keys = request.query.getAll('tagKeys');
    if (keys.length < 1 || keys.length > 50) throw badRequest('tagKeys takes 1 to 50 keys');
    world.untagResource(resourceArn, keys);
    return {};
  },
  StartInsightsRefresh: (world, { name = '' }) => insightsRefreshShape(world.startInsightsRefresh(name)),
  DescribeInsightsRefresh: (world, { name = '' }) =>
    insightsRefreshShape(world.describeInsightsRefresh(name)),
  DescribeInsight: (world, { name = '', id = '' }) => {
    const cluster = world.cluster(name);
    const insight = world.insight(name, id);
    return {
      insight: {
        ...insightShape(world, cluster, insight),
        recommendation:
          insight.status === 'PASSING'
            ? 'No action required.'
            : `Resolve this finding before ${insight.kubernetesVersion}.`,
        additionalInfo: {},
        resources: (insight.resources ?? []).map((resource) => ({
          insightStatus: { status: resource.status, reason: '' },
          kubernetesResourceUri: resource.uri,
        })),
        categorySpecificSummary: { deprecationDetails: [], addonCompatibilityDetails: [] },
      },
    };
  },
  UpdateClusterVersion: (world, { name = '' }, request) => {
    const body = parseWith(updateClusterVersionBody, jsonBody(request), invalid);
    return { update: updateShape(world.updateClusterVersion(name, body)) };
  },
  UpdateNodegroupVersion: (world, { name = '', nodegroupName = '' }, request) => {
    const body = parseWith(updateNodegroupVersionBody, jsonBody(request), invalid);
    return { update: updateShape(world.updateNodegroupVersion(name, nodegroupName, body)) };
  },
  DescribeUpdate: (world, { name = '', updateId = '' }, request) => ({
    update: updateShape(
      world.describeUpdate(name, updateId, {
        nodegroupName: query(request, 'nodegroupName'),
        addonName: query(request, 'addonName'),
      }),
    ),
  }),
  ListUpdates: (world, { name = '' }, request) => {
    const ids = world.listUpdates(name, {
      nodegroupName: query(request, 'nodegroupName'),
      addonName: query(request, 'addonName'),
    });
    const { page: updateIds, nextToken } = page(ids, request);
    return { updateIds, nextToken };
  },
  ListAddons: (world, { name = '' }, request) => {
    const { page: addons, nextToken } = page(
      world.cluster(name).addons.map((a) => a.name),
      request,
    );
    return { addons, nextToken };
  },
  DescribeAddon: (world, { name = '', addonName = '' }) => ({
    addon: addonShape(world.cluster(name), world.addon(name, addonName)),
  }),
  UpdateAddon: (world, { name = '', addonName = '' }, request) => {
    const body = parseWith(updateAddonBody, jsonBody(request), invalid);
    return { update: updateShape(world.updateAddon(name, addonName, body)) };
  },
  DescribeAddonVersions: (world, _labels, request) => {
    const kubernetesVersion = query(request, 'kubernetesVersion');
    const addonName = query(request, 'addonName');
    const infos = world.scenario.addonVersions
      .filter((a) => addonName === undefined || a.addonName === addonName)
      .map((a) => ({
        addonName: a.addonName,
        type: a.type,
        publisher: 'eks',
        owner: 'aws',
        addonVersions: [...a.versions]
          .sort((x, y) => compareAddonVersions(y.addonVersion, x.addonVersion)) // newest first, as EKS lists them
          .filter((v) => kubernetesVersion === undefined || v.clusterVersions.includes(kubernetesVersion))
          .map((v) => ({
            addonVersion: v.addonVersion,
            architecture: ['amd64', 'arm64'],
            computeTypes: ['ec2'],
            compatibilities: v.clusterVersions
              .filter((cv) => kubernetesVersion === undefined || cv === kubernetesVersion)
              .map((cv) => ({
                clusterVersion: cv,
                platformVersions: ['*'],
                defaultVersion: v.defaultFor.includes(cv),
              })),
            requiresConfiguration: false,
            requiresIamPermissions: false,
          })),
      }))
      .filter((a) => a.addonVersions.length > 0);
    const { page: addons, nextToken } = page(infos, request);
    return { addons, nextToken };
  },
  ListInsights: (world, { name = '' }, request) => {
    const body = parseWith(listInsightsBody, jsonBody(request), invalid);
    const filter = body.filter ?? {};
    const cluster = world.cluster(name);
    const matches = cluster.insights.filter(
      (i) =>
        (!filter.categories?.length || filter.categories.includes(i.category)) &&
        (!filter.kubernetesVersions?.length || filter.kubernetesVersions.includes(i.kubernetesVersion)) &&
        (!filter.statuses?.length || filter.statuses.includes(i.status)),
    );
    const { page: insights, nextToken } = paginate(
      matches.map((i) => insightShape(world, cluster, i)),
      {
        maxResults: body.maxResults,
        nextToken: body.nextToken,
        defaultMax: 100,
        limit: 100,
        maxName: 'maxResults',
      },
      invalid,
    );
    return { insights, nextToken };
  },
  DescribeClusterVersions: (world, _labels, request) => {
    const wanted = request.query.getAll('clusterVersions');
    const includeAll = query(request, 'includeAll') === 'true' || wanted.length > 0;
    const defaultOnly = query(request, 'defaultOnly') === 'true';
    const statusFilter = query(request, 'versionStatus');
    const versions = [...world.scenario.kubernetesVersions]
      .sort((a, b) => compareMinor(b.version, a.version))
      .map((v) => ({ v, status: world.supportStatus(v.version) }))
      .filter(
        ({ v, status }) =>
          (wanted.length === 0 || wanted.includes(v.version)) &&
          (includeAll || status !== 'UNSUPPORTED') &&
          (!defaultOnly || v.default) &&
          (statusFilter === undefined || status === statusFilter),
      )
      .map(({ v, status }) => ({
        clusterVersion: v.version,
        clusterType: 'eks',
        defaultPlatformVersion: v.platformVersion,
        defaultVersion: v.default,
        releaseDate: seconds(Date.parse(v.releaseDate)),
        endOfStandardSupportDate: seconds(Date.parse(v.endOfStandardSupport)),
        ...(v.endOfExtendedSupport
          ? { endOfExtendedSupportDate: seconds(Date.parse(v.endOfExtendedSupport)) }
          : {}),
        status: status.toLowerCase().replace('_', '-'),
        versionStatus: status,
        ...(v.kubernetesPatchVersion ? { kubernetesPatchVersion: v.kubernetesPatchVersion } : {}),
      }));
    const { page: clusterVersions, nextToken } = page(versions, request);
    return { clusterVersions, nextToken };
  },
};

const routes: Array<{ method: string; pattern: string[]; operation: keyof typeof operations }> = [
  { method: 'GET', pattern: ['clusters'], operation: 'ListClusters' },
  { method: 'GET', pattern: ['clusters', ':name'], operation: 'DescribeCluster' },
  { method: 'GET', pattern: ['clusters', ':name', 'node-groups'], operation: 'ListNodegroups' },
  { method: 'POST', pattern: ['clusters', ':name', 'node-groups'], operation: 'CreateNodegroup' },
  {
    method: 'DELETE',
    pattern: ['clusters', ':name', 'node-groups', ':nodegroupName'],
    operation: 'DeleteNodegroup',
  },
  {
    method: 'POST',
    pattern: ['clusters', ':name', 'node-groups', ':nodegroupName', 'update-config'],
    operation: 'UpdateNodegroupConfig',
  },
  { method: 'GET', pattern: ['clusters', ':name', 'fargate-profiles'], operation: 'ListFargateProfiles' },
  {
    method: 'GET',
    pattern: ['clusters', ':name', 'fargate-profiles', ':fargateProfileName'],
    operation: 'DescribeFargateProfile',
  },
  { method: 'POST', pattern: ['tags', ':resourceArn'], operation: 'TagResource' },
  { method: 'DELETE', pattern: ['tags', ':resourceArn'], operation: 'UntagResource' },
  { method: 'POST', pattern: ['clusters', ':name', 'insights-refresh'], operation: 'StartInsightsRefresh' },
  { method: 'GET', pattern: ['clusters', ':name', 'insights-refresh'], operation: 'DescribeInsightsRefresh' },
  { method: 'GET', pattern: ['clusters', ':name', 'insights', ':id'], operation: 'DescribeInsight' },
  {
    method: 'GET',
    pattern: ['clusters', ':name', 'node-groups', ':nodegroupName'],
    operation: 'DescribeNodegroup',
  },
  {
    method: 'POST',
    pattern: ['clusters', ':name', 'node-groups', ':nodegroupName', 'update-version'],
    operation: 'UpdateNodegroupVersion',
  },
  { method: 'POST', pattern: ['clusters', ':name', 'updates'], operation: 'UpdateClusterVersion' },
  { method: 'GET', pattern: ['clusters', ':name', 'updates'], operation: 'ListUpdates' },
  { method: 'GET', pattern: ['clusters', ':name', 'updates', ':updateId'], operation: 'DescribeUpdate' },
  { method: 'GET', pattern: ['clusters', ':name', 'addons'], operation: 'ListAddons' },
  { method: 'GET', pattern: ['clusters', ':name', 'addons', ':addonName'], operation: 'DescribeAddon' },
  {
    method: 'POST',
    pattern: ['clusters', ':name', 'addons', ':addonName', 'update'],
    operation: 'UpdateAddon',
  },
  { method: 'POST', pattern: ['clusters', ':name', 'insights'], operation: 'ListInsights' },
  { method: 'GET', pattern: ['addons', 'supported-versions'], operation: 'DescribeAddonVersions' },
  { method: 'GET', pattern: ['cluster-versions'], operation: 'DescribeClusterVersions' },
];

function match(pattern: string[], segments: string[]): Labels | undefined {
  if (pattern.length !== segments.length) return undefined;
  const labels: Labels = {};
  for (const [i, part] of pattern.entries()) {
    const segment = segments[i] ?? '';
    if (part.startsWith(':')) labels[part.slice(1)] = segment;
    else if (part !== segment) return undefined;
  }
  return labels;
}

/** Whether a path belongs to the EKS API. */
export function isEksPath(path: string): boolean {
  return /^\/(clusters|addons|cluster-versions|tags)(\/|$)/.test(path);
}

function renderError(error: ApiError): Reply {
  return {
    status: error.status,
    headers: { 'content-type': 'application/json', 'x-amzn-ErrorType': error.code },
    // Real EKS sends the message under a lower-case key; __type is a harmless second source of the name.
    body: JSON.stringify({ ...error.fields, message: error.message, __type: error.code }),
    errorCode: error.code,
  };
}

/** Recognises an EKS request and binds it to its operation. */
export function routeEks(world: World, request: IncomingRequest): RoutedRequest {
  let segments: string[];
  try {
    segments = request.path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    segments = [];
  }
  let operation = 'Unknown';
  let labels: Labels = {};
  for (const route of routes) {
    const found = route.method === request.method ? match(route.pattern, segments) : undefined;
    if (found) {
      operation = route.operation;
      labels = found;
      break;
    }
  }
  let body: unknown;
  try {
    body = request.body ? JSON.parse(request.body) : undefined;
  } catch {
    body = request.body;
  }
  const handler = operations[operation];
  return {
    service: 'eks',
    operation,
    // StartInsightsRefresh only recomputes read-only findings, so a dry run may call it.
    mutating: /^(Update|Create|Delete|Tag|Untag)/.test(operation),
    params: { ...labels, ...queryRecord(request.query), ...(body && typeof body === 'object' ? body : {}) },
    run: () => {
      if (!handler) {
        throw new ApiError(
          'NotFoundException',
          404,
          `No EKS operation for ${request.method} ${request.path}`,
        );
      }
      return {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(handler(world, labels, request)),
      };
    },
    renderError,
  };
}
