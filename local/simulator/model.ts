import { createHash } from 'node:crypto';
import {
  compareMinor,
  type Duration,
  type Scenario,
  type ScenarioCluster,
  type ScenarioNodegroup,
} from './scenario.ts';
import { drawMs, updateStream } from './timing.ts';

// The simulated AWS account: clusters, node groups, their Auto Scaling groups, add-ons and updates, on a
// lazy virtual clock. Nothing here runs by itself: advance() applies every scheduled event whose time has
// come, in time order, and the server calls it before answering each request.

export type UpdateStatus = 'InProgress' | 'Successful' | 'Failed' | 'Cancelled';

export interface UpdateRecord {
  id: string;
  type: string;
  status: UpdateStatus;
  clusterName: string;
  nodegroupName?: string;
  addonName?: string;
  params: Array<{ type: string; value: string }>;
  startedBy: 'client' | 'fault';
  createdAt: number;
  endedAt?: number;
  errors: Array<{ errorCode: string; errorMessage: string; resourceIds: string[] }>;
}

export interface Instance {
  id: string;
  availabilityZone: string;
  launchTemplateVersion: number;
  lifecycleState: 'Pending' | 'InService' | 'Terminating' | 'Terminated';
  instanceType: string;
}

export interface Activity {
  id: string;
  autoScalingGroupName: string;
  description: string;
  cause: string;
  startTime: number;
  endTime?: number;
  statusCode: 'InProgress' | 'Successful' | 'Failed' | 'Cancelled';
  progress: number;
  details: string;
}

export interface AutoScalingGroup {
  name: string;
  arn: string;
  launchTemplate: { id: string; name: string; version: number };
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  availabilityZones: string[];
  subnetIds: string[];
  instances: Instance[]; // Terminated instances are dropped, as the ASG API stops showing them
  activities: Activity[];
  tags: Record<string, string>;
  createdAt: number;
  deleted: boolean;
}

export interface Nodegroup {
  name: string;
  arn: string;
  clusterName: string;
  version: string;
  releaseVersion: string;
  amiType: string;
  instanceType: string;
  capacityType: string;
  status: string;
  createdAt: number;
  modifiedAt: number;
  minSize: number;
  maxSize: number;
  desiredSize: number;
  maxUnavailable: number;
  nodeRole: string;
  asg: AutoScalingGroup;
  /** The customer's launch template, and the version of it the node group runs. */
  customLaunchTemplate?: { name: string; id: string; version: number };
  instancesReplaced: number;
  // Set by CreateNodegroup and UpdateNodegroupConfig (scenario groups: eksctl's labels and tags).
  labels?: Record<string, string>;
  taints?: Taint[];
  tags?: Record<string, string>;
  instanceTypes?: string[];
  diskSize?: number;
  remoteAccess?: { ec2SshKey?: string | undefined; sourceSecurityGroups?: string[] | undefined };
  maxUnavailablePercentage?: number;
  updateStrategy?: 'DEFAULT' | 'MINIMAL';
  nodeRepairEnabled?: boolean;
}

export interface Taint {
  key: string;
  value?: string | undefined;
  effect: 'NO_SCHEDULE' | 'NO_EXECUTE' | 'PREFER_NO_SCHEDULE';
}

export interface InsightsRefresh {
  status: 'IN_PROGRESS' | 'FAILED' | 'COMPLETED';
  startedAt: number;
  endedAt?: number;
}

export interface Addon {
  name: string;
  arn: string;
  version: string;
  status: string;
  createdAt: number;
  modifiedAt: number;
}

export interface Insight {
  id: string;
  name: string;
  category: string;
  kubernetesVersion: string;
  status: string;
  reason: string;
  description: string;
  /** When the status last changed (ms). */
  transitionedAt: number;
  /** What the finding is about, as DescribeInsight lists it (Kubelet version skew: the nodes behind). */
  resources?: Array<{ uri: string; status: string }>;
}

export interface FargateProfile {
  name: string;
  arn: string;
  createdAt: number;
  selectors: Array<{ namespace: string; labels?: Record<string, string> | undefined }>;
}

export interface UnmanagedNode {
  name: string;
  kubeletVersion: string;
  kind: 'self-managed' | 'karpenter' | 'hybrid' | 'fargate';
}

export interface Cluster {
  name: string;
  /** The account it is in: the scenario's, unless it says another. */
  accountId: string;
  arn: string;
  id: string;
  version: string;
  platformVersion: string;
  status: string;
  createdAt: number;
  availabilityZones: string[];
  subnetIds: string[];
  vpcId: string;
  supportType: string;
  nodegroups: Nodegroup[];
  addons: Addon[];
  insights: Insight[];
  /** EKS Auto Mode (computeConfig.enabled). */
  autoMode: boolean;
  fargateProfiles: FargateProfile[];
  /** Nodes outside managed node groups; their kubelets move only when their owner rolls them. */
  unmanagedNodes: UnmanagedNode[];
  updates: UpdateRecord[]; // cluster, node group and add-on updates, in creation order
  deleted: boolean;
  /** When EKS last computed the insights ListInsights shows (default: the scenario's start). */
  insightsRefreshedAt?: number;
  /** The latest on-demand insights refresh. */
  insightsRefresh?: InsightsRefresh;
  /** Every on-demand refresh, oldest first: AWS's time a run waits on besides its updates. */
  insightsRefreshes: InsightsRefresh[];
}

export interface Published {
  topicArn: string;
  subject?: string;
  message: string;
  at: number;
  messageId: string;
}

/** An AWS error response, rendered by each protocol in its own wire format. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

const invalidParameter = (message: string, fields: Record<string, string>): ApiError =>
  new ApiError('InvalidParameterException', 400, message, fields);
const inUse = (message: string, fields: Record<string, string>): ApiError =>
  new ApiError('ResourceInUseException', 409, message, fields);
const notFound = (message: string, fields: Record<string, string>): ApiError =>
  new ApiError('ResourceNotFoundException', 404, message, fields);

/** Hex digest of a string, for ids that are stable across runs. */
export function hashHex(input: string, length: number): string {
  let out = '';
  for (let i = 0; out.length < length; i++) out += createHash('sha256').update(`${i}:${input}`).digest('hex');
  return out.slice(0, length);
}

/** A UUID-shaped (version 4 layout) string derived from the input. */
export function uuidFrom(input: string): string {
  const h = hashHex(input, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const minute = 60_000;
const day = 24 * 60 * minute;

/** Whether a release version ("1.19.15-20211013") sorts after another: date first, then patch. */
function releaseNewer(a: string, b: string): boolean {
  const [pa = '', da = ''] = a.split('-');
  const [pb = '', db = ''] = b.split('-');
  if (da !== db) return da > db;
  const na = pa.split('.').map(Number);
  const nb = pb.split('.').map(Number);
  return (na[2] ?? 0) > (nb[2] ?? 0);
}

/** Parses "v1.10.4-eksbuild.1" into [1, 10, 4, 1] for ordering. */
export function addonVersionParts(version: string): number[] {
  return (version.match(/\d+/g) ?? []).map(Number);
}

/** Orders add-on versions oldest first. */
export function compareAddonVersions(a: string, b: string): number {
  const pa = addonVersionParts(a);
  const pb = addonVersionParts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** How many minor versions apart two add-on versions are (a major change counts as far). */
function addonMinorDistance(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = addonVersionParts(a);
  const [bMajor = 0, bMinor = 0] = addonVersionParts(b);
  return aMajor === bMajor ? Math.abs(aMinor - bMinor) : Number.POSITIVE_INFINITY;
}

function nextMinor(version: string): string {
  const [major = '1', minor = '0'] = version.split('.');
  return `${major}.${Number(minor) + 1}`;
}

function previousMinor(version: string): string {
  const [major = '1', minor = '0'] = version.split('.');
  return `${major}.${Number(minor) - 1}`;
}

/** The version a control-plane version update moved to. */
function upgradedTo(update: UpdateRecord): string | undefined {
  return update.params.find((p) => p.type === 'Version')?.value;
}

interface ScheduledEvent {
  at: number;
  seq: number;
  apply: () => void;
}

export interface NodegroupUpdateRequest {
  version?: string | undefined;
  releaseVersion?: string | undefined;
  launchTemplate?:
    | { name?: string | undefined; id?: string | undefined; version?: string | undefined }
    | undefined;
  force?: boolean | undefined;
  clientRequestToken?: string | undefined;
}

export interface ScalingRequest {
  minSize?: number | undefined;
  maxSize?: number | undefined;
  desiredSize?: number | undefined;
}

export interface UpdateConfigRequest {
  maxUnavailable?: number | undefined;
  maxUnavailablePercentage?: number | undefined;
  updateStrategy?: 'DEFAULT' | 'MINIMAL' | undefined;
}

export interface CreateNodegroupRequest {
  nodegroupName: string;
  subnets: string[];
  nodeRole: string;
  scalingConfig?: ScalingRequest | undefined;
  instanceTypes?: string[] | undefined;
  amiType?: string | undefined;
  capacityType?: 'ON_DEMAND' | 'SPOT' | 'CAPACITY_BLOCK' | undefined;
  diskSize?: number | undefined;
  labels?: Record<string, string> | undefined;
  taints?: Taint[] | undefined;
  tags?: Record<string, string> | undefined;
  launchTemplate?:
    | { name?: string | undefined; id?: string | undefined; version?: string | undefined }
    | undefined;
  updateConfig?: UpdateConfigRequest | undefined;
  nodeRepairConfig?: { enabled?: boolean | undefined } | undefined;
  remoteAccess?: { ec2SshKey?: string | undefined; sourceSecurityGroups?: string[] | undefined } | undefined;
  version?: string | undefined;
  releaseVersion?: string | undefined;
  clientRequestToken?: string | undefined;
}

export interface NodegroupConfigRequest {
  labels?:
    | { addOrUpdateLabels?: Record<string, string> | undefined; removeLabels?: string[] | undefined }
    | undefined;
  taints?: { addOrUpdateTaints?: Taint[] | undefined; removeTaints?: Taint[] | undefined } | undefined;
  scalingConfig?: ScalingRequest | undefined;
  updateConfig?: UpdateConfigRequest | undefined;
  nodeRepairConfig?: { enabled?: boolean | undefined } | undefined;
  clientRequestToken?: string | undefined;
}

export interface AlarmState {
  name: string;
  arn: string;
  namespace: string;
  metricName: string;
  description?: string;
  threshold: number;
  value: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  reason: string;
  updatedAt: number;
}

export class World {
  readonly clusters: Cluster[] = [];
  readonly published: Published[] = [];
  readonly start: number;
  /** Simulated ms epoch: the time of the event being applied, else the time of the last advance(). */
  clock: number;
  private readonly queue: ScheduledEvent[] = [];
  private seq = 0;
  private idCounter = 0;
  private readonly tokens = new Map<string, UpdateRecord>();
  private readonly createTokens = new Map<string, Nodegroup>();
  /** Per fault (by index): matching requests seen, for request-triggered faults. */
  private readonly requestsSeen = new Map<number, number>();
  /** Per update-fails fault (by index): matching updates started so far. */
  private readonly updatesSeen = new Map<number, number>();
  /** Updates an update-fails fault ends: they run until it fires, however long their draw. */
  private readonly endedByFault = new WeakSet<UpdateRecord>();

  constructor(
    readonly scenario: Scenario,
    private readonly now: () => number,
  ) {
    this.start = Date.parse(scenario.startTime);
    this.clock = this.start;
    for (const c of scenario.clusters) this.clusters.push(this.buildCluster(c));
    for (const cluster of this.clusters) this.scheduleDailyInsightsRefresh(cluster, this.start + day);
    for (const fault of scenario.faults) {
      if (fault.type === 'update-in-progress') {
        // A request-triggered update starts in beforeRequest(), not on the clock.
        if (fault.beforeRequest) continue;
        this.schedule(this.start + fault.atSecond * 1000, () =>
          this.startForeignUpdate(fault.cluster, fault.version),
        );
      } else if (fault.type === 'cluster-deleted') {
        this.schedule(this.start + fault.atSecond * 1000, () => this.deleteCluster(fault.cluster));
      } else if (fault.type === 'insight-error') {
        this.schedule(this.start + fault.atSecond * 1000, () =>
          this.raiseInsightError(
            fault.cluster,
            fault.version,
            fault.clearAtSecond === undefined ? undefined : this.start + fault.clearAtSecond * 1000,
          ),
        );
      }
    }
  }

  /**
   * Called before each request is answered: fires the faults that wait for a request of this operation
   * (someone else starting an update just before the caller's own call lands).
   */
  beforeRequest(operation: string): void {
    this.scenario.faults.forEach((fault, index) => {
      if (fault.type !== 'update-in-progress' || fault.beforeRequest?.operation !== operation) return;
      const seen = (this.requestsSeen.get(index) ?? 0) + 1;
      this.requestsSeen.set(index, seen);
      if (seen === fault.beforeRequest.occurrence) this.startForeignUpdate(fault.cluster, fault.version);
    });
  }

  /** Applies every scheduled event due by now(), in time order (ties in scheduling order). */
  advance(): void {
    const target = this.now();
    for (let next = this.queue[0]; next && next.at <= target; next = this.queue[0]) {
      this.queue.shift();
      this.clock = Math.max(this.clock, next.at);
      next.apply();
    }
    this.clock = Math.max(this.clock, target);
  }

  /** A fresh id; the counter makes runs reproducible. */
  nextId(kind: string): string {
    this.idCounter += 1;
    return uuidFrom(`${this.scenario.name}/${kind}/${this.idCounter}`);
  }

  private schedule(at: number, apply: () => void): void {
    const event = { at, seq: this.seq++, apply };
    const index = this.queue.findIndex((e) => e.at > at);
    if (index === -1) this.queue.push(event);
    else this.queue.splice(index, 0, event);
  }

  /** Schedules a step of an update; it is skipped once the update has ended (failed or cancelled). */
  private step(update: UpdateRecord, at: number, apply: () => void): void {
    this.schedule(at, () => {
      if (update.status === 'InProgress') apply();
    });
  }

  // ---- building the initial state -------------------------------------------------------------

  private buildCluster(c: ScenarioCluster): Cluster {
    const { region, accountId } = this.scenario;
    const createdAt = c.createdAt ? Date.parse(c.createdAt) : this.start - 400 * 24 * 60 * minute;
    const subnetIds = c.availabilityZones.map((az) => `subnet-0${hashHex(`${c.name}/subnet/${az}`, 16)}`);
    const account = c.accountId ?? accountId;
    const cluster: Cluster = {
      name: c.name,
      accountId: account,
      arn: `arn:aws:eks:${region}:${account}:cluster/${c.name}`,
      id: uuidFrom(`${c.name}/cluster`),
      version: c.version,
      platformVersion: c.platformVersion,
      status: 'ACTIVE',
      createdAt,
      availabilityZones: c.availabilityZones,
      subnetIds,
      vpcId: `vpc-0${hashHex(`${c.name}/vpc`, 16)}`,
      supportType: c.supportType,
      nodegroups: [],
      addons: c.addons.map((a) => ({
        name: a.name,
        arn: `arn:aws:eks:${region}:${account}:addon/${c.name}/${a.name}/${uuidFrom(`${c.name}/addon/${a.name}`)}`,
        version: a.version,
        status: 'ACTIVE',
        createdAt,
        modifiedAt: createdAt,
      })),
      insights: c.insights.map((i, n) => ({
        id: i.id ?? uuidFrom(`${c.name}/insight/${n}`),
        name: i.name,
        category: i.category,
        kubernetesVersion: i.kubernetesVersion,
        status: i.status,
        reason: i.reason,
        description: i.description,
        transitionedAt: createdAt,
      })),
      updates: [],
      deleted: false,
      insightsRefreshes: [],
      autoMode: c.autoMode,
      fargateProfiles: c.fargateProfiles.map((profile) => ({
        ...profile,
        arn: `arn:aws:eks:${region}:${account}:fargateprofile/${c.name}/${profile.name}/${uuidFrom(`${c.name}/fargate/${profile.name}`)}`,
        createdAt,
      })),
      unmanagedNodes: c.unmanagedNodes,
    };
    for (const ng of c.nodegroups) cluster.nodegroups.push(this.buildNodegroup(cluster, ng));
    // The scenario's skew findings list the nodes behind, as EKS's last refresh left them.
    for (const insight of cluster.insights.filter((i) => i.name === 'Kubelet version skew')) {
      insight.resources = this.kubeletSkewFinding(cluster, insight.kubernetesVersion).resources;
    }
    if (c.upgradedFrom) {
      // The in-place upgrade that brought the cluster to its version before the scenario began.
      const endedAt = this.start + c.upgradedFrom.endedAtSecond * 1000;
      cluster.updates.push({
        id: uuidFrom(`${c.name}/earlier-upgrade`),
        type: 'VersionUpdate',
        status: 'Successful',
        clusterName: c.name,
        params: [
          { type: 'Version', value: c.version },
          { type: 'PlatformVersion', value: c.platformVersion },
        ],
        startedBy: 'client',
        createdAt: endedAt - 12 * minute,
        endedAt,
        errors: [],
      });
    }
    return cluster;
  }

  private buildNodegroup(cluster: Cluster, ng: ScenarioNodegroup): Nodegroup {
    const { region, accountId } = this.scenario;
    const azs = ng.availabilityZones ?? cluster.availabilityZones;
    const createdAt = ng.createdAt ? Date.parse(ng.createdAt) : cluster.createdAt + 30 * minute;
    const ltId = `lt-0${hashHex(`${cluster.name}/${ng.name}/lt`, 16)}`;
    const asg: AutoScalingGroup = {
      name: ng.autoScalingGroupName,
      arn: `arn:aws:autoscaling:${region}:${accountId}:autoScalingGroup:${uuidFrom(ng.autoScalingGroupName)}:autoScalingGroupName/${ng.autoScalingGroupName}`,
      launchTemplate: {
        id: ltId,
        name: `eks-${uuidFrom(`${cluster.name}/${ng.name}/lt`)}`,
        version: ng.launchTemplateVersion,
      },
      minSize: ng.minSize,
      maxSize: ng.maxSize,
      desiredCapacity: ng.desiredSize,
      availabilityZones: azs,
      subnetIds: azs.map((az) => `subnet-0${hashHex(`${cluster.name}/subnet/${az}`, 16)}`),
      instances: [],
      activities: [],
      tags: {
        'eks:cluster-name': cluster.name,
        'eks:nodegroup-name': ng.name,
        [`kubernetes.io/cluster/${cluster.name}`]: 'owned',
        'k8s.io/cluster-autoscaler/enabled': 'true',
        [`k8s.io/cluster-autoscaler/${cluster.name}`]: 'owned',
      },
      createdAt,
      deleted: false,
    };
    for (let i = 0; i < ng.desiredSize; i++) {
      asg.instances.push({
        id: `i-0${hashHex(`${cluster.name}/${ng.name}/initial/${i}`, 16)}`,
        availabilityZone: azs[i % azs.length] ?? 'unknown',
        launchTemplateVersion: ng.launchTemplateVersion,
        lifecycleState: 'InService',
        instanceType: ng.instanceType,
      });
    }
    return {
      name: ng.name,
      arn: `arn:aws:eks:${region}:${cluster.accountId}:nodegroup/${cluster.name}/${ng.name}/${uuidFrom(`${cluster.name}/${ng.name}`)}`,
      clusterName: cluster.name,
      version: ng.version,
      releaseVersion: ng.releaseVersion,
      amiType: ng.amiType,
      instanceType: ng.instanceType,
      capacityType: ng.capacityType,
      status: 'ACTIVE',
      createdAt,
      modifiedAt: createdAt,
      minSize: ng.minSize,
      maxSize: ng.maxSize,
      desiredSize: ng.desiredSize,
      maxUnavailable: ng.maxUnavailable,
      nodeRole: ng.nodeRole ?? `arn:aws:iam::${accountId}:role/eks-${ng.name}-node-role`,
      asg,
      // What eksctl, which made the scenario groups, puts on them.
      labels: { 'alpha.eksctl.io/cluster-name': cluster.name, 'alpha.eksctl.io/nodegroup-name': ng.name },
      tags: { 'alpha.eksctl.io/nodegroup-name': ng.name, 'alpha.eksctl.io/nodegroup-type': 'managed' },
      ...(ng.customLaunchTemplate
        ? {
            customLaunchTemplate: {
              name: ng.customLaunchTemplate.name,
              id: ng.customLaunchTemplate.id,
              version: ng.customLaunchTemplate.version ?? ng.launchTemplateVersion,
            },
          }
        : {}),
      instancesReplaced: 0,
    };
  }

  // ---- lookups -------------------------------------------------------------------------------

  /** @throws ApiError ResourceNotFoundException when the cluster does not exist (or no longer does). */
  cluster(name: string): Cluster {
    const cluster = this.clusters.find((c) => c.name === name && !c.deleted);
    if (!cluster) throw notFound(`No cluster found for name: ${name}.`, { clusterName: name });
    return cluster;
  }

  /** @throws ApiError ResourceNotFoundException when the cluster or node group does not exist. */
  nodegroup(clusterName: string, name: string): Nodegroup {
    const ng = this.cluster(clusterName).nodegroups.find((n) => n.name === name);
    if (!ng) throw notFound(`No node group found for name: ${name}.`, { clusterName, nodegroupName: name });
    return ng;
  }

  /** @throws ApiError ResourceNotFoundException when the cluster or add-on does not exist. */
  addon(clusterName: string, name: string): Addon {
    const addon = this.cluster(clusterName).addons.find((a) => a.name === name);
    if (!addon) {
      throw notFound(`No addon: ${name} found in cluster: ${clusterName}`, { clusterName, addonName: name });
    }
    return addon;
  }

  liveAutoScalingGroups(): AutoScalingGroup[] {
    return this.clusters.flatMap((c) => c.nodegroups.map((ng) => ng.asg)).filter((g) => !g.deleted);
  }

  isKnownVersion(version: string): boolean {
    return this.scenario.kubernetesVersions.some((v) => v.version === version);
  }

  /** Releases of an AMI type for a minor that are published by now, oldest first, with their publish time. */
  publishedReleaseEntries(
    amiType: string,
    version: string,
  ): Array<{ releaseVersion: string; publishedAt: number | undefined }> {
    const entries = this.scenario.releases[amiType]?.[version] ?? [];
    return entries
      .map((e) => {
        if (typeof e === 'string') return { releaseVersion: e, publishedAt: undefined };
        const publishedAt =
          e.publishedAt !== undefined
            ? Date.parse(e.publishedAt)
            : e.publishedAtSecond !== undefined
              ? this.start + e.publishedAtSecond * 1000
              : undefined;
        return { releaseVersion: e.releaseVersion, publishedAt };
      })
      .filter((e) => e.publishedAt === undefined || e.publishedAt <= this.clock);
  }

  /** Releases of an AMI type for a minor that are published by now, oldest first. */
  publishedReleases(amiType: string, version: string): string[] {
    return this.publishedReleaseEntries(amiType, version).map((e) => e.releaseVersion);
  }

  recommendedRelease(amiType: string, version: string): string | undefined {
    return this.publishedReleases(amiType, version).at(-1);
  }

  private inProgress(cluster: Cluster, filter: (u: UpdateRecord) => boolean): UpdateRecord | undefined {
    return cluster.updates.find((u) => u.status === 'InProgress' && filter(u));
  }

  /**
   * EKS runs one update at a time per resource, and none beside a control-plane update: both
   * refusals are 409 ResourceInUseException naming the update in the way.
   */
  private rejectIfBusy(
    cluster: Cluster,
    updateType: string,
    resource: string,
    own: (update: UpdateRecord) => boolean,
    fields: Record<string, string>,
  ): void {
    const ownBusy = this.inProgress(cluster, own);
    if (ownBusy) {
      throw inUse(
        `Cannot ${updateType} because ${resource} currently has update ${ownBusy.id} in progress`,
        fields,
      );
    }
    const controlPlaneBusy = this.inProgress(
      cluster,
      (u) => u.nodegroupName === undefined && u.addonName === undefined,
    );
    if (controlPlaneBusy) {
      throw inUse(
        `Cannot ${updateType} because cluster ${cluster.name} currently has update ${controlPlaneBusy.id} in progress`,
        fields,
      );
    }
  }

  /** A node group takes a version or config update only when ACTIVE, with nothing else running. */
  private rejectIfNodegroupCannotUpdate(
    cluster: Cluster,
    ng: Nodegroup,
    updateType: string,
    fields: Record<string, string>,
  ): void {
    this.rejectIfDeleting(cluster, fields);
    this.rejectIfBusy(
      cluster,
      updateType,
      `nodegroup ${ng.name}`,
      (u) => u.nodegroupName === ng.name,
      fields,
    );
    this.rejectIfNodegroupNotActive(ng, fields);
  }

  private rejectIfDeleting(cluster: Cluster, fields: Record<string, string>): void {
    if (cluster.status === 'DELETING') throw inUse(`Cluster ${cluster.name} is being deleted.`, fields);
  }

  // ---- control plane -------------------------------------------------------------------------

  /**
   * UpdateClusterVersion, with the rules EKS enforces (EKS-FACTS §1.5, §4.2).
   * @throws ApiError InvalidParameterException, ResourceInUseException, ResourceNotFoundException, InvalidStateException.
   */
  updateClusterVersion(
    name: string,
    request: {
      version: string;
      force?: boolean | undefined;
      clientRequestToken?: string | undefined;
      rollbackConfig?: { timeoutMinutes?: number | undefined } | undefined;
    },
  ): UpdateRecord {
    const cluster = this.cluster(name);
    const tokenKey = request.clientRequestToken && `cluster/${name}/${request.clientRequestToken}`;
    const previous = tokenKey ? this.tokens.get(tokenKey) : undefined;
    if (previous) return previous; // EKS idempotency: the same token returns the same update
    const fields = { clusterName: name };
    this.rejectIfDeleting(cluster, fields);
    // One update at a time per cluster, node-group updates included.
    const busy = this.inProgress(cluster, (u) => u.addonName === undefined);
    if (busy) {
      throw inUse(
        `Cannot VersionUpdate because cluster ${name} currently has update ${busy.id} in progress`,
        fields,
      );
    }
    const target = request.version;
    if (!this.isKnownVersion(target)) throw invalidParameter('unsupported Kubernetes version', fields);
    if (target === previousMinor(cluster.version)) {
      const update = this.rollBackClusterVersion(cluster, target, request.force === true, fields);
      if (tokenKey) this.tokens.set(tokenKey, update);
      return update;
    }
    // One minor per update: no skipping, no same-version "update"; down only by a rollback (one minor).
    if (target !== nextMinor(cluster.version)) {
      throw invalidParameter(
        `Unsupported Kubernetes minor version update from ${cluster.version} to ${target}`,
        fields,
      );
    }
    // Kubelet skew: 3 minors behind the control plane when the kubelet is >= 1.25, else 2.
    const behind = cluster.nodegroups.filter((ng) => {
      const lag = Number(target.split('.')[1]) - Number(ng.version.split('.')[1]);
      return lag > (compareMinor(ng.version, '1.25') >= 0 ? 3 : 2);
    });
    if (behind.length > 0) {
      throw invalidParameter(
        `Nodegroups ${behind.map((ng) => ng.name).join(',')} must be updated to match cluster version ${cluster.version} before updating cluster version`,
        fields,
      );
    }
    // Upgrade-readiness insights in ERROR block the update unless forced.
    const blocking = cluster.insights.filter(
      (i) => i.category === 'UPGRADE_READINESS' && i.kubernetesVersion === target && i.status === 'ERROR',
    );
    if (blocking.length > 0 && !request.force) {
      throw new ApiError(
        'InvalidStateException',
        400,
        `Upgrade readiness insights report errors for ${target}: ${blocking.map((i) => i.name).join(', ')}. Resolve them or set force.`,
        fields,
      );
    }
    const update = this.startControlPlaneUpdate(cluster, target, 'client');
    if (tokenKey) this.tokens.set(tokenKey, update);
    return update;
  }

  /**
   * A version rollback (EKS-FACTS 7.1): UpdateClusterVersion to the previous minor. Hard rules first
   * (force does not override them), then the soft ones EKS reports as ROLLBACK_READINESS insights
   * (force overrides those). Exact messages are undocumented; the error type is the SDK's.
   */
  private rollBackClusterVersion(
    cluster: Cluster,
    target: string,
    force: boolean,
    fields: Record<string, string>,
  ): UpdateRecord {
    const refuse = (message: string) => new ApiError('InvalidStateException', 400, message, fields);
    const upgrade = this.lastVersionChange(cluster);
    if (upgrade?.type !== 'VersionUpdate' || upgradedTo(upgrade) !== cluster.version || !upgrade.endedAt) {
      throw refuse(
        `Cluster ${cluster.name} cannot be rolled back: it did not reach ${cluster.version} by an in-place upgrade, or was rolled back already.`,
      );
    }
    if (this.clock - upgrade.endedAt > 7 * day) {
      throw refuse(
        `Cluster ${cluster.name} cannot be rolled back: the rollback window of 7 days after the upgrade to ${cluster.version} has passed.`,
      );
    }
    const status = this.supportStatus(target);
    if (status === 'UNSUPPORTED') {
      throw invalidParameter(
        `Kubernetes version ${target} is no longer supported; cannot roll back to it.`,
        fields,
      );
    }
    if (status === 'EXTENDED_SUPPORT' && cluster.supportType !== 'EXTENDED') {
      throw refuse(
        `Kubernetes version ${target} is in extended support; set the cluster's upgrade policy to EXTENDED to roll back to it.`,
      );
    }
    if (!force) {
      const blockers = this.rollbackBlockers(cluster, target);
      if (blockers.length > 0) {
        throw refuse(
          `Rollback readiness checks failed for ${target}: ${blockers.join('; ')}. Resolve them or set force.`,
        );
      }
    }
    // Timed like an upgrade ("several minutes" [doc]).
    return this.startControlPlaneUpdate(cluster, target, 'client', 'VersionRollback');
  }

  /** The control plane's last version change that succeeded: an upgrade or a rollback. */
  private lastVersionChange(cluster: Cluster): UpdateRecord | undefined {
    return cluster.updates.findLast(
      (u) =>
        (u.type === 'VersionUpdate' || u.type === 'VersionRollback') &&
        u.nodegroupName === undefined &&
        u.addonName === undefined &&
        u.status === 'Successful',
    );
  }

  /** What ROLLBACK_READINESS checks live: no kubelet on the current version, add-ons that run on the target. */
  private rollbackBlockers(cluster: Cluster, target: string): string[] {
    const onCurrent = cluster.nodegroups.filter((ng) => ng.version === cluster.version);
    const addons = cluster.addons.filter((addon) => {
      const info = this.scenario.addonVersions.find((a) => a.addonName === addon.name);
      const entry = info?.versions.find((v) => v.addonVersion === addon.version);
      return !(entry?.clusterVersions.includes(target) ?? false);
    });
    return [
      ...(onCurrent.length > 0
        ? [`node groups ${onCurrent.map((ng) => ng.name).join(', ')} run kubelet v${cluster.version}`]
        : []),
      ...(addons.length > 0
        ? [
            `add-ons ${addons.map((a) => `${a.name} ${a.version}`).join(', ')} are not compatible with ${target}`,
          ]
        : []),
    ];
  }

  /** A version's support on the simulated clock, as DescribeClusterVersions reports it. */
  supportStatus(version: string): 'STANDARD_SUPPORT' | 'EXTENDED_SUPPORT' | 'UNSUPPORTED' {
    const v = this.scenario.kubernetesVersions.find((candidate) => candidate.version === version);
    if (!v) return 'UNSUPPORTED';
    if (this.clock < Date.parse(v.endOfStandardSupport)) return 'STANDARD_SUPPORT';
    if (v.endOfExtendedSupport && this.clock < Date.parse(v.endOfExtendedSupport)) return 'EXTENDED_SUPPORT';
    return 'UNSUPPORTED';
  }

  private startControlPlaneUpdate(
    cluster: Cluster,
    target: string,
    startedBy: 'client' | 'fault',
    type: 'VersionUpdate' | 'VersionRollback' = 'VersionUpdate',
  ): UpdateRecord {
    const platformVersion =
      this.scenario.kubernetesVersions.find((v) => v.version === target)?.platformVersion ?? 'eks.1';
    const update = this.newUpdate(cluster, type, startedBy, [
      { type: 'Version', value: target },
      { type: 'PlatformVersion', value: platformVersion },
    ]);
    cluster.status = 'UPDATING';
    this.step(update, this.successAt(update, this.scenario.timings.controlPlaneUpdate), () => {
      cluster.version = target;
      cluster.platformVersion = platformVersion;
      cluster.status = 'ACTIVE';
      this.end(update, 'Successful');
    });
    return update;
  }

  private startForeignUpdate(clusterName: string, version: string | undefined): void {
    const cluster = this.clusters.find((c) => c.name === clusterName && !c.deleted);
    if (cluster?.status !== 'ACTIVE') return;
    this.startControlPlaneUpdate(cluster, version ?? nextMinor(cluster.version), 'fault');
  }

  private newUpdate(
    cluster: Cluster,
    type: string,
    startedBy: 'client' | 'fault',
    params: UpdateRecord['params'],
    resource: { nodegroupName?: string; addonName?: string } = {},
  ): UpdateRecord {
    const update: UpdateRecord = {
      id: this.nextId('update'),
      type,
      status: 'InProgress',
      clusterName: cluster.name,
      ...resource,
      params,
      startedBy,
      createdAt: this.clock,
      errors: [],
    };
    cluster.updates.push(update);
    this.scheduleUpdateFault(cluster, update);
    return update;
  }

  /**
   * Draws the durations of one update's steps (ms), in the order the update asks for them, from a stream
   * keyed by the seed, the resource and how many updates that resource has had: the same seed gives the
   * same durations however often, and whenever, anyone polls.
   */
  private durations(update: UpdateRecord): (d: Duration) => number {
    const cluster = this.clusters.find((c) => c.name === update.clusterName);
    const ofResource = (cluster?.updates ?? []).filter(
      (u) => u.nodegroupName === update.nodegroupName && u.addonName === update.addonName,
    );
    const resource =
      update.nodegroupName !== undefined
        ? `nodegroup/${update.nodegroupName}`
        : update.addonName !== undefined
          ? `addon/${update.addonName}`
          : 'control-plane';
    return this.drawsFor(`${update.clusterName}/${resource}/${ofResource.indexOf(update) + 1}`);
  }

  /** Draws (ms) from the seed's stream for `key`: an update, or a node group created or deleted. */
  private drawsFor(key: string): (d: Duration) => number {
    const random = updateStream(this.scenario.seed, key);
    return (d) => drawMs(d, random);
  }

  /** When a one-step update (control plane, add-on) ends well: its draw, or never when a fault ends it. */
  private successAt(update: UpdateRecord, d: Duration): number {
    return this.endedByFault.has(update) ? Number.POSITIVE_INFINITY : this.clock + this.durations(update)(d);
  }

  /** An update-fails fault: the matching update ends Failed or Cancelled partway, its resource unchanged. */
  private scheduleUpdateFault(cluster: Cluster, update: UpdateRecord): void {
    if (update.nodegroupName !== undefined) return;
    this.scenario.faults.forEach((fault, index) => {
      if (fault.type !== 'update-fails' || fault.cluster !== cluster.name) return;
      if (fault.addon !== update.addonName) return;
      const seen = (this.updatesSeen.get(index) ?? 0) + 1;
      this.updatesSeen.set(index, seen);
      if (seen !== fault.occurrence) return;
      this.endedByFault.add(update);
      this.step(update, this.clock + fault.afterMinutes * minute, () => {
        if (update.addonName === undefined) {
          cluster.status = 'ACTIVE';
        } else {
          const addon = cluster.addons.find((a) => a.name === update.addonName);
          if (addon) {
            addon.status = 'ACTIVE';
            addon.modifiedAt = this.clock;
          }
        }
        const resourceIds = update.addonName === undefined ? [cluster.name] : [update.addonName];
        this.end(
          update,
          fault.status,
          fault.errorCode === undefined
            ? undefined
            : { errorCode: fault.errorCode, errorMessage: fault.errorMessage, resourceIds },
        );
      });
    });
  }

  private end(update: UpdateRecord, status: UpdateStatus, error?: UpdateRecord['errors'][number]): void {
    update.status = status;
    update.endedAt = this.clock;
    if (error) update.errors.push(error);
  }

  // ---- node groups ---------------------------------------------------------------------------

  /**
   * UpdateNodegroupVersion: validates, then schedules EKS's rolling replacement (EKS-FACTS §2.1).
   * @throws ApiError InvalidParameterException, ResourceInUseException, ResourceNotFoundException.
   */
  updateNodegroupVersion(
    clusterName: string,
    nodegroupName: string,
    request: NodegroupUpdateRequest,
  ): UpdateRecord {
    const cluster = this.cluster(clusterName);
    const ng = this.nodegroup(clusterName, nodegroupName);
    const tokenKey =
      request.clientRequestToken && `nodegroup/${clusterName}/${nodegroupName}/${request.clientRequestToken}`;
    const previous = tokenKey ? this.tokens.get(tokenKey) : undefined;
    if (previous) return previous;
    const fields = { clusterName, nodegroupName };
    this.rejectIfNodegroupCannotUpdate(cluster, ng, 'VersionUpdate', fields);
    const lt = request.launchTemplate;
    const own = ng.customLaunchTemplate;
    if (lt) {
      // A launch template may be given only if the group was created with one, and it must be the same one.
      if (!own) {
        throw invalidParameter(
          `Nodegroup ${nodegroupName} was not created with a launch template; do not specify one`,
          fields,
        );
      }
      if ((lt.id && lt.id !== own.id) || (lt.name && lt.name !== own.name)) {
        throw invalidParameter(
          `Launch template ${lt.id ?? lt.name} does not match the launch template of nodegroup ${nodegroupName}`,
          fields,
        );
      }
    }
    const ltVersion =
      lt?.version === undefined ? undefined : this.launchTemplateVersion(ng, lt.version, fields);
    if (ng.amiType === 'CUSTOM' && own) {
      return this.updateCustomAmiNodegroup(cluster, ng, own, request, ltVersion, tokenKey, fields);
    }
    // Without a version, the node group moves to the cluster's current version.
    const version = request.version ?? cluster.version;
    this.checkNodegroupVersion(cluster, ng, version, fields);
    const releaseVersion = request.releaseVersion ?? this.defaultRelease(ng.amiType, version, fields);
    // The release must be a published release of this version for this node group's AMI type.
    if (!this.publishedReleases(ng.amiType, version).includes(releaseVersion)) {
      const otherType = Object.keys(this.scenario.releases).find(
        (t) => t !== ng.amiType && this.publishedReleases(t, version).includes(releaseVersion),
      );
      throw invalidParameter(
        `Requested release version ${releaseVersion} is not valid for kubernetes version ${version}.${otherType ? ` It is a release of AMI type ${otherType}, and nodegroup ${nodegroupName} runs ${ng.amiType}.` : ''}`,
        fields,
      );
    }
    if (version === ng.version && releaseNewer(ng.releaseVersion, releaseVersion)) {
      throw invalidParameter(
        `Cannot downgrade nodegroup ${nodegroupName} from release version ${ng.releaseVersion} to ${releaseVersion}`,
        fields,
      );
    }
    if (version === ng.version && releaseVersion === ng.releaseVersion && ltVersion === undefined) {
      throw invalidParameter(
        `Nodegroup ${nodegroupName} is already at version ${version} with release version ${releaseVersion}`,
        fields,
      );
    }
    const params = [
      { type: 'Version', value: version },
      { type: 'ReleaseVersion', value: releaseVersion },
    ];
    if (lt && own) {
      params.push({ type: 'LaunchTemplateName', value: own.name });
      if (lt.version) params.push({ type: 'LaunchTemplateVersion', value: lt.version });
    }
    const update = this.newUpdate(cluster, 'VersionUpdate', 'client', params, { nodegroupName });
    if (tokenKey) this.tokens.set(tokenKey, update);
    this.rollNodegroup(
      ng,
      update,
      { version, releaseVersion, ...(ltVersion === undefined ? {} : { launchTemplateVersion: ltVersion }) },
      request.force === true,
    );
    return update;
  }

  /**
   * A node group whose AMI comes from the customer's launch template: EKS takes only a new template version
   * (API docs: with a custom AMI, do not specify version or releaseVersion, or the update fails).
   */
  private updateCustomAmiNodegroup(
    cluster: Cluster,
    ng: Nodegroup,
    own: { name: string; id: string; version: number },
    request: NodegroupUpdateRequest,
    ltVersion: number | undefined,
    tokenKey: string | undefined,
    fields: Record<string, string>,
  ): UpdateRecord {
    if (request.version !== undefined || request.releaseVersion !== undefined) {
      throw invalidParameter(
        `Nodegroup ${ng.name} uses a custom AMI from launch template ${own.name}; update it with launchTemplate {id or name, version} only, without version or releaseVersion`,
        fields,
      );
    }
    if (ltVersion === undefined) {
      throw invalidParameter(
        `Nodegroup ${ng.name} uses a custom AMI; specify launchTemplate with the version of ${own.name} to roll out`,
        fields,
      );
    }
    if (ltVersion === own.version) {
      throw invalidParameter(
        `Nodegroup ${ng.name} is already at version ${ltVersion} of launch template ${own.name}`,
        fields,
      );
    }
    const declared = this.scenarioNodegroup(cluster.name, ng.name)?.customLaunchTemplate?.versions?.[
      String(ltVersion)
    ];
    const version = declared?.kubernetesVersion ?? ng.version;
    this.checkNodegroupVersion(cluster, ng, version, fields);
    const releaseVersion = declared?.imageId ?? `ami-0${hashHex(`${own.id}/${ltVersion}`, 16)}`;
    const update = this.newUpdate(
      cluster,
      'VersionUpdate',
      'client',
      [
        { type: 'LaunchTemplateName', value: own.name },
        { type: 'LaunchTemplateVersion', value: String(ltVersion) },
      ],
      { nodegroupName: ng.name },
    );
    if (tokenKey) this.tokens.set(tokenKey, update);
    this.rollNodegroup(
      ng,
      update,
      { version, releaseVersion, launchTemplateVersion: ltVersion },
      request.force === true,
    );
    return update;
  }

  /** The requested version of the customer's launch template. @throws ApiError InvalidParameterException. */
  private launchTemplateVersion(ng: Nodegroup, requested: string, fields: Record<string, string>): number {
    // EKS takes a version number here; $Latest and $Default are not accepted for node groups.
    if (!/^\d+$/.test(requested)) {
      throw invalidParameter(
        `Launch template version ${requested} is not valid; specify a version number`,
        fields,
      );
    }
    const declared = this.scenarioNodegroup(ng.clusterName, ng.name)?.customLaunchTemplate?.versions;
    const version = Number(requested);
    if (declared && version !== ng.customLaunchTemplate?.version && !(requested in declared)) {
      throw invalidParameter(
        `Launch template ${ng.customLaunchTemplate?.name ?? ''} has no version ${requested}`,
        fields,
      );
    }
    return version;
  }

  private scenarioNodegroup(clusterName: string, name: string): ScenarioNodegroup | undefined {
    return this.scenario.clusters
      .find((c) => c.name === clusterName)
      ?.nodegroups.find((n) => n.name === name);
  }

  /** A node group may move up to the control plane's minor, never past it and never back. */
  private checkNodegroupVersion(
    cluster: Cluster,
    ng: Nodegroup,
    version: string,
    fields: Record<string, string>,
  ): void {
    if (!this.isKnownVersion(version)) throw invalidParameter('unsupported Kubernetes version', fields);
    if (compareMinor(version, cluster.version) > 0) {
      throw invalidParameter(
        `Requested Kubernetes version ${version} is newer than the cluster's Kubernetes version ${cluster.version}; a node group cannot be newer than its control plane`,
        fields,
      );
    }
    if (compareMinor(version, ng.version) < 0) {
      throw invalidParameter(
        `Cannot downgrade nodegroup ${ng.name} from ${ng.version} to ${version}`,
        fields,
      );
    }
  }

  private defaultRelease(amiType: string, version: string, fields: Record<string, string>): string {
    const recommended = this.recommendedRelease(amiType, version);
    if (recommended) return recommended;
    const known = Object.keys(this.scenario.releases[amiType] ?? {}).sort(compareMinor);
    const last = known.at(-1);
    if (last && compareMinor(version, last) > 0) {
      throw invalidParameter(
        `AMI Type ${amiType} is only supported for kubernetes versions ${last} or earlier`,
        fields,
      );
    }
    throw invalidParameter(
      `No release of AMI type ${amiType} is available for Kubernetes version ${version}`,
      fields,
    );
  }

  /**
   * Schedules the managed node group update as EKS describes it: setup (new launch template version),
   * scale up by a surge, then per batch of maxUnavailable old nodes evict + terminate, then scale down.
   */
  private rollNodegroup(
    ng: Nodegroup,
    update: UpdateRecord,
    target: { version: string; releaseVersion: string; launchTemplateVersion?: number },
    force: boolean,
  ): void {
    const timings = this.scenario.timings;
    const draw = this.durations(update);
    const faults = this.scenario.faults;
    const blockedByPdb = faults.some(
      (f) => f.type === 'pdb-blocked' && f.cluster === ng.clusterName && f.nodegroup === ng.name,
    );
    const nodesFailToJoin = faults.some(
      (f) => f.type === 'node-creation-failure' && f.cluster === ng.clusterName && f.nodegroup === ng.name,
    );
    const asg = ng.asg;
    const before = {
      max: asg.maxSize,
      desired: asg.desiredCapacity,
      launchTemplateVersion: asg.launchTemplate.version,
    };
    const old = asg.instances.filter((i) => i.lifecycleState === 'InService');
    const zones = new Set(asg.availabilityZones).size;
    const batchSize = this.maxUnavailableNodes(ng, old.length);
    // Surge: up to twice the number of AZs, not more than the node count, at least maxUnavailable.
    // MINIMAL launches nothing first: each old node is terminated, then replaced (EKS-FACTS 7.3).
    const surge =
      old.length === 0 || ng.updateStrategy === 'MINIMAL'
        ? 0
        : Math.max(Math.min(2 * zones, old.length), batchSize);
    const launched: Instance[] = [];

    ng.status = 'UPDATING';
    ng.modifiedAt = this.clock;
    asg.launchTemplate.version += 1; // setup: a new launch template version with the target AMI
    const newVersion = asg.launchTemplate.version;

    const fail = (errorCode: string, errorMessage: string, resourceIds: string[]): void => {
      // The node group goes back to where it was: surge nodes removed, capacity and launch template restored.
      for (const instance of launched.filter((i) => i.lifecycleState !== 'Terminated')) {
        this.terminateNow(asg, instance, 'the node group update failed');
      }
      asg.maxSize = before.max;
      asg.desiredCapacity = before.desired;
      asg.launchTemplate.version = before.launchTemplateVersion;
      ng.status = 'ACTIVE';
      ng.modifiedAt = this.clock;
      this.end(update, 'Failed', { errorCode, errorMessage, resourceIds });
    };

    let t = this.clock + draw(timings.nodegroupSetup);
    this.step(update, t, () => {
      asg.maxSize += surge;
      const from = asg.desiredCapacity;
      asg.desiredCapacity += surge;
      for (let i = 0; i < surge; i++) {
        launched.push(
          this.launch(
            asg,
            newVersion,
            ng.instanceType,
            `a user request update of AutoScalingGroup constraints to min: ${asg.minSize}, max: ${asg.maxSize}, desired: ${asg.desiredCapacity} changing the desired capacity from ${from} to ${asg.desiredCapacity}`,
          ),
        );
      }
    });
    t += draw(timings.instanceLaunch);
    if (nodesFailToJoin) {
      this.step(update, t, () => {
        for (const instance of launched) this.markInService(asg, instance);
        fail(
          'NodeCreationFailure',
          'Instances failed to join the kubernetes cluster',
          launched.map((i) => i.id),
        );
      });
      return;
    }
    this.step(update, t, () => {
      for (const instance of launched) this.markInService(asg, instance);
    });

    // Old nodes beyond the surge are replaced by the ASG itself (desired kept), the rest shrink desired.
    let replacementsNeeded = Math.max(0, old.length - surge);
    let lastReady = t;
    for (let b = 0; b < old.length; b += batchSize) {
      const batch = old.slice(b, b + batchSize);
      if (blockedByPdb && !force) {
        // A PodDisruptionBudget keeps the pods in place; EKS gives up after the eviction timeout.
        this.step(update, t + timings.podEvictionTimeoutMinutes * minute, () =>
          fail(
            'PodEvictionFailure',
            `Reached max retries while trying to evict pods from nodes in node group ${ng.name}`,
            batch.map((i) => i.id),
          ),
        );
        return;
      }
      // With force, EKS stops respecting the budget once the eviction timeout has passed.
      t += blockedByPdb ? timings.podEvictionTimeoutMinutes * minute : draw(timings.podEviction);
      this.step(update, t, () => {
        for (const instance of batch) this.beginTermination(asg, instance);
      });
      t += draw(timings.instanceTerminate);
      const replace = batch.slice(0, replacementsNeeded).length;
      replacementsNeeded -= replace;
      // Drawn now, in schedule order, so the stream does not depend on when the events run.
      const replacementLaunch = Array.from({ length: replace }, () => draw(timings.instanceLaunch));
      if (replace > 0) lastReady = Math.max(lastReady, t + Math.max(...replacementLaunch));
      this.step(update, t, () => {
        batch.forEach((instance, n) => {
          this.finishTermination(asg, instance, n >= replace);
          ng.instancesReplaced += 1;
        });
        for (let n = 0; n < replace; n++) {
          const replacement = this.launch(
            asg,
            newVersion,
            ng.instanceType,
            'an instance was started in response to a difference between desired and actual capacity',
          );
          this.step(update, this.clock + (replacementLaunch[n] ?? 0), () =>
            this.markInService(asg, replacement),
          );
        }
      });
    }
    t = Math.max(t, lastReady) + draw(timings.scaleDown);
    this.step(update, t, () => {
      asg.maxSize = before.max;
      asg.desiredCapacity = before.desired;
      ng.version = target.version;
      ng.releaseVersion = target.releaseVersion;
      if (ng.customLaunchTemplate && target.launchTemplateVersion !== undefined) {
        ng.customLaunchTemplate.version = target.launchTemplateVersion;
      }
      ng.status = 'ACTIVE';
      ng.modifiedAt = this.clock;
      this.end(update, 'Successful');
    });
  }

  private launch(asg: AutoScalingGroup, version: number, instanceType: string, cause: string): Instance {
    // The ASG balances zones: a new instance goes to the zone with the fewest live instances.
    const live = asg.instances.filter((i) => i.lifecycleState !== 'Terminating');
    const zone =
      [...asg.availabilityZones].sort(
        (a, b) =>
          live.filter((i) => i.availabilityZone === a).length -
          live.filter((i) => i.availabilityZone === b).length,
      )[0] ?? 'unknown';
    const instance: Instance = {
      id: `i-0${this.nextId('instance').replaceAll('-', '').slice(0, 16)}`,
      availabilityZone: zone,
      launchTemplateVersion: version,
      lifecycleState: 'Pending',
      instanceType,
    };
    asg.instances.push(instance);
    asg.activities.push({
      id: this.nextId('activity'),
      autoScalingGroupName: asg.name,
      description: `Launching a new EC2 instance: ${instance.id}`,
      cause: `At ${new Date(this.clock).toISOString()} ${cause}.`,
      startTime: this.clock,
      statusCode: 'InProgress',
      progress: 30,
      details: JSON.stringify({
        'Subnet ID': asg.subnetIds[asg.availabilityZones.indexOf(zone)],
        'Availability Zone': zone,
      }),
    });
    return instance;
  }

  private activityFor(asg: AutoScalingGroup, verb: string, instance: Instance): Activity | undefined {
    return asg.activities.findLast((a) => a.description === `${verb} EC2 instance: ${instance.id}`);
  }

  private markInService(asg: AutoScalingGroup, instance: Instance): void {
    if (instance.lifecycleState !== 'Pending') return;
    instance.lifecycleState = 'InService';
    const activity = this.activityFor(asg, 'Launching a new', instance);
    if (activity) Object.assign(activity, { statusCode: 'Successful', progress: 100, endTime: this.clock });
  }

  private beginTermination(asg: AutoScalingGroup, instance: Instance): void {
    instance.lifecycleState = 'Terminating';
    const live = asg.instances.filter((i) => i.lifecycleState !== 'Terminated').length;
    asg.activities.push({
      id: this.nextId('activity'),
      autoScalingGroupName: asg.name,
      description: `Terminating EC2 instance: ${instance.id}`,
      cause: `At ${new Date(this.clock).toISOString()} instance ${instance.id} was taken out of service in response to a user request, shrinking the capacity from ${live} to ${live - 1}.`,
      startTime: this.clock,
      statusCode: 'InProgress',
      progress: 50,
      details: JSON.stringify({ 'Availability Zone': instance.availabilityZone }),
    });
  }

  private finishTermination(asg: AutoScalingGroup, instance: Instance, decrementDesired: boolean): void {
    instance.lifecycleState = 'Terminated';
    asg.instances = asg.instances.filter((i) => i !== instance);
    if (decrementDesired) asg.desiredCapacity = Math.max(asg.minSize, asg.desiredCapacity - 1);
    const activity = this.activityFor(asg, 'Terminating', instance);
    if (activity) Object.assign(activity, { statusCode: 'Successful', progress: 100, endTime: this.clock });
  }

  private terminateNow(asg: AutoScalingGroup, instance: Instance, reason: string): void {
    const launching = this.activityFor(asg, 'Launching a new', instance);
    if (launching?.statusCode === 'InProgress') {
      Object.assign(launching, { statusCode: 'Cancelled', progress: 100, endTime: this.clock });
    }
    this.beginTermination(asg, instance);
    const activity = this.activityFor(asg, 'Terminating', instance);
    if (activity) activity.cause += ` (${reason})`;
    this.finishTermination(asg, instance, false);
  }

  // ---- add-ons -------------------------------------------------------------------------------

  /**
   * UpdateAddon: moves an add-on to a version compatible with the cluster.
   * @throws ApiError InvalidParameterException, ResourceInUseException, ResourceNotFoundException.
   */
  updateAddon(
    clusterName: string,
    addonName: string,
    request: {
      addonVersion?: string | undefined;
      resolveConflicts?: string | undefined;
      clientRequestToken?: string | undefined;
    },
  ): UpdateRecord {
    const cluster = this.cluster(clusterName);
    const addon = this.addon(clusterName, addonName);
    const tokenKey =
      request.clientRequestToken && `addon/${clusterName}/${addonName}/${request.clientRequestToken}`;
    const previous = tokenKey ? this.tokens.get(tokenKey) : undefined;
    if (previous) return previous;
    const fields = { clusterName, addonName };
    this.rejectIfDeleting(cluster, fields);
    this.rejectIfBusy(cluster, 'AddonUpdate', `addon ${addonName}`, (u) => u.addonName === addonName, fields);
    const info = this.scenario.addonVersions.find((a) => a.addonName === addonName);
    const compatible = info?.versions.filter((v) => v.clusterVersions.includes(cluster.version)) ?? [];
    const version =
      request.addonVersion ??
      (compatible.find((v) => v.defaultFor.includes(cluster.version)) ?? compatible.at(-1))?.addonVersion;
    // EKS answers both cases with "Addon version specified is not supported" [obs]; the detail is ours.
    if (!version || !info?.versions.some((v) => v.addonVersion === version)) {
      throw invalidParameter(
        `Addon version specified is not supported: ${addonName} has no version ${version ?? '(none)'}`,
        fields,
      );
    }
    if (!compatible.some((v) => v.addonVersion === version)) {
      throw invalidParameter(
        `Addon version specified is not supported: ${addonName} ${version} is not compatible with Kubernetes version ${cluster.version}`,
        fields,
      );
    }
    // The VPC CNI moves one minor version per update, up or down (real error text [obs]).
    if (addonName === 'vpc-cni' && addonMinorDistance(addon.version, version) > 1) {
      throw invalidParameter(
        `Updating VPC-CNI can only go up or down 1 minor version at a time (from ${addon.version} to ${version})`,
        fields,
      );
    }
    const params = [{ type: 'AddonVersion', value: version }];
    if (request.resolveConflicts) params.push({ type: 'ResolveConflicts', value: request.resolveConflicts });
    const update = this.newUpdate(cluster, 'AddonUpdate', 'client', params, { addonName });
    if (tokenKey) this.tokens.set(tokenKey, update);
    addon.status = 'UPDATING';
    addon.modifiedAt = this.clock;
    this.step(update, this.successAt(update, this.scenario.timings.addonUpdate), () => {
      addon.version = version;
      addon.status = 'ACTIVE';
      addon.modifiedAt = this.clock;
      this.end(update, 'Successful');
    });
    return update;
  }

  /**
   * Whether the installed add-on version lists the cluster's version among its compatibilities. EKS does not
   * stop a control-plane update that leaves an add-on incompatible, and neither does the model: the add-on
   * stays ACTIVE on its version, and this is how a test sees it.
   */
  addonCompatible(cluster: Cluster, addon: Addon): boolean {
    const info = this.scenario.addonVersions.find((a) => a.addonName === addon.name);
    const entry = info?.versions.find((v) => v.addonVersion === addon.version);
    return entry?.clusterVersions.includes(cluster.version) ?? false;
  }

  // ---- insights (fault) ----------------------------------------------------------------------

  private raiseInsightError(
    clusterName: string,
    version: string | undefined,
    clearAt: number | undefined,
  ): void {
    const cluster = this.clusters.find((c) => c.name === clusterName && !c.deleted);
    if (!cluster) return;
    const target = version ?? nextMinor(cluster.version);
    const insight: Insight = {
      id: uuidFrom(`${clusterName}/insight-error/${target}`),
      name: `Deprecated APIs removed in Kubernetes v${target}`,
      category: 'UPGRADE_READINESS',
      kubernetesVersion: target,
      status: 'ERROR',
      reason: 'Deprecated API usage detected within the last 30 days.',
      description: `Checks for usage of deprecated APIs that are scheduled for removal in Kubernetes v${target}. Upgrading your cluster before migrating to the updated APIs supported by v${target} could cause application impact.`,
      transitionedAt: this.clock,
    };
    cluster.insights.push(insight);
    if (clearAt !== undefined) {
      this.schedule(Math.max(clearAt, this.clock), () => {
        insight.status = 'PASSING';
        insight.reason = 'No deprecated API usage detected within the last 30 days.';
        insight.transitionedAt = this.clock;
      });
    }
  }

  // ---- updates -------------------------------------------------------------------------------

  /** @throws ApiError ResourceNotFoundException when the update does not belong to the given resource. */
  describeUpdate(
    clusterName: string,
    id: string,
    resource: { nodegroupName?: string | undefined; addonName?: string | undefined },
  ): UpdateRecord {
    const cluster = this.cluster(clusterName);
    if (resource.nodegroupName) this.nodegroup(clusterName, resource.nodegroupName);
    if (resource.addonName) this.addon(clusterName, resource.addonName);
    const update = cluster.updates.find(
      (u) => u.id === id && u.nodegroupName === resource.nodegroupName && u.addonName === resource.addonName,
    );
    if (!update) throw notFound(`No update found for ID: ${id}`, { clusterName });
    return update;
  }

  /** @throws ApiError ResourceNotFoundException for a missing cluster, node group or add-on. */
  listUpdates(
    clusterName: string,
    resource: { nodegroupName?: string | undefined; addonName?: string | undefined },
  ): string[] {
    const cluster = this.cluster(clusterName);
    if (resource.nodegroupName) this.nodegroup(clusterName, resource.nodegroupName);
    if (resource.addonName) this.addon(clusterName, resource.addonName);
    // In no particular order, as EKS lists them (aws/containers-roadmap#1439): here by ID.
    return cluster.updates
      .filter((u) => u.nodegroupName === resource.nodegroupName && u.addonName === resource.addonName)
      .map((u) => u.id)
      .sort();
  }

  // ---- cluster deletion (fault) ---------------------------------------------------------------

  private deleteCluster(name: string): void {
    const cluster = this.clusters.find((c) => c.name === name && !c.deleted);
    if (!cluster) return;
    cluster.status = 'DELETING';
    for (const update of cluster.updates.filter((u) => u.status === 'InProgress'))
      this.end(update, 'Cancelled');
    for (const ng of cluster.nodegroups) ng.status = 'DELETING';
    for (const addon of cluster.addons) addon.status = 'DELETING';
    this.schedule(this.clock + this.scenario.timings.clusterDeletionMinutes * minute, () => {
      cluster.deleted = true;
      cluster.status = 'DELETED';
      for (const ng of cluster.nodegroups) {
        ng.status = 'DELETED';
        ng.asg.deleted = true;
        for (const instance of [...ng.asg.instances])
          this.terminateNow(ng.asg, instance, 'the cluster was deleted');
      }
      for (const addon of cluster.addons) addon.status = 'DELETED';
    });
  }

  // ---- node group lifecycle: CreateNodegroup, DeleteNodegroup, UpdateNodegroupConfig ----------

  /**
   * CreateNodegroup: validates as EKS does, then the group is CREATING until its nodes have joined.
   * @throws ApiError InvalidParameterException, InvalidRequestException, ResourceInUseException, ResourceNotFoundException.
   */
  createNodegroup(clusterName: string, request: CreateNodegroupRequest): Nodegroup {
    const cluster = this.cluster(clusterName);
    const name = request.nodegroupName;
    const tokenKey =
      request.clientRequestToken && `create/${clusterName}/${name}/${request.clientRequestToken}`;
    const previous = tokenKey ? this.createTokens.get(tokenKey) : undefined;
    if (previous) return previous;
    const fields = { clusterName, nodegroupName: name };
    // Real text [obs] (eksctl#2244): InvalidRequestException while the cluster is not ACTIVE.
    if (cluster.status !== 'ACTIVE') {
      throw new ApiError(
        'InvalidRequestException',
        400,
        `Cluster '${clusterName}' is not in ACTIVE status`,
        fields,
      );
    }
    // Real text [obs] (terraform-aws-eks#1931, aws-cdk#26931).
    if (cluster.nodegroups.some((n) => n.name === name)) {
      throw inUse(`NodeGroup already exists with name ${name} and cluster name ${clusterName}`, fields);
    }
    if (!/^arn:aws[\w-]*:iam::\d{12}:role\/.+$/.test(request.nodeRole)) {
      throw invalidParameter(`The nodeRole ${request.nodeRole} is not a valid IAM role ARN`, fields);
    }
    const foreign = request.subnets.filter((s) => !cluster.subnetIds.includes(s));
    if (request.subnets.length === 0 || foreign.length > 0) {
      throw invalidParameter(
        `Subnets ${foreign.join(', ') || '(none)'} are not subnets of the VPC of cluster ${clusterName}`,
        fields,
      );
    }
    this.checkTags(request.tags, fields);
    const scaling = this.checkCreateScaling(request.scalingConfig, fields);
    const maxUnavailable = this.checkUpdateConfig(request.updateConfig, fields);
    const lt = request.launchTemplate;
    const customAmi = request.amiType === 'CUSTOM';
    this.checkCreateLaunchTemplate(request, fields);
    const version = request.version ?? cluster.version;
    if (!this.isKnownVersion(version)) throw invalidParameter('unsupported Kubernetes version', fields);
    // The API reference and the CloudFormation docs: the cluster's version "is the only accepted specified value".
    if (version !== cluster.version) {
      throw invalidParameter(
        `Requested Kubernetes version ${version} is not valid for a new node group: cluster ${clusterName} runs ${cluster.version}, the only version a node group can be created with`,
        fields,
      );
    }
    // EKS's default AMI type is AL2023 from 1.30 on (EKS user guide), AL2 before.
    const amiType =
      request.amiType ?? (compareMinor(version, '1.30') >= 0 ? 'AL2023_x86_64_STANDARD' : 'AL2_x86_64');
    // EKS-FACTS 7.2: no AL2 AMI exists after 1.32; real text [user].
    if (amiType.startsWith('AL2_') && compareMinor(version, '1.32') > 0) {
      throw invalidParameter(
        `AMI Type ${amiType} is only supported for kubernetes versions 1.32 or earlier`,
        fields,
      );
    }
    const ltVersion = Number(lt?.version ?? '1');
    const ltId = lt?.id ?? `lt-0${hashHex(`${clusterName}/${lt?.name ?? ''}`, 16)}`;
    const releaseVersion = customAmi
      ? `ami-0${hashHex(`${ltId}/${ltVersion}`, 16)}`
      : (request.releaseVersion ?? this.defaultRelease(amiType, version, fields));
    if (!customAmi && !this.publishedReleases(amiType, version).includes(releaseVersion)) {
      throw invalidParameter(
        `Requested release version ${releaseVersion} is not valid for kubernetes version ${version}`,
        fields,
      );
    }
    const instanceTypes = request.instanceTypes?.length ? request.instanceTypes : ['t3.medium'];
    const ng = this.buildNodegroup(cluster, {
      name,
      version,
      releaseVersion,
      amiType,
      instanceType: instanceTypes[0] ?? 't3.medium',
      capacityType: request.capacityType ?? 'ON_DEMAND',
      minSize: 0,
      maxSize: scaling.maxSize,
      desiredSize: 0, // the nodes are launched below, as Pending
      maxUnavailable: maxUnavailable ?? 1,
      availabilityZones: [
        ...new Set(request.subnets.map((s) => cluster.availabilityZones[cluster.subnetIds.indexOf(s)] ?? '')),
      ],
      autoScalingGroupName: `eks-${name}-${this.nextId('asg')}`,
      launchTemplateVersion: 1,
      createdAt: new Date(this.clock).toISOString(),
      ...(lt
        ? { customLaunchTemplate: { name: lt.name ?? `lt-${name}`, id: ltId, version: ltVersion } }
        : {}),
    });
    Object.assign(ng, {
      arn: `arn:aws:eks:${this.scenario.region}:${this.scenario.accountId}:nodegroup/${clusterName}/${name}/${this.nextId('nodegroup')}`,
      status: 'CREATING',
      nodeRole: request.nodeRole,
      minSize: scaling.minSize,
      desiredSize: scaling.desiredSize,
      labels: request.labels ?? {},
      taints: request.taints ?? [],
      tags: request.tags ?? {},
      instanceTypes,
      nodeRepairEnabled: request.nodeRepairConfig?.enabled ?? false,
      ...(lt ? {} : { diskSize: request.diskSize ?? 20 }),
      ...(request.remoteAccess ? { remoteAccess: request.remoteAccess } : {}),
      ...this.updateConfigFields(request.updateConfig),
    });
    ng.asg.minSize = scaling.minSize;
    ng.asg.desiredCapacity = scaling.desiredSize;
    cluster.nodegroups.push(ng);
    if (tokenKey) this.createTokens.set(tokenKey, ng);
    const cause = `a user request created an AutoScalingGroup changing the desired capacity from 0 to ${scaling.desiredSize}`;
    const launched = Array.from({ length: scaling.desiredSize }, () =>
      this.launch(ng.asg, ng.asg.launchTemplate.version, ng.instanceType, cause),
    );
    const timings = this.scenario.timings;
    const launchMs = this.drawsFor(`${clusterName}/nodegroup/${name}/create`)(timings.instanceLaunch);
    this.schedule(this.clock + launchMs, () => {
      for (const instance of launched) this.markInService(ng.asg, instance);
    });
    const activeAt = Math.max(timings.nodegroupCreateMinutes * minute, launchMs);
    this.schedule(this.clock + activeAt, () => {
      if (ng.status !== 'CREATING') return;
      ng.status = 'ACTIVE';
      ng.modifiedAt = this.clock;
    });
    return ng;
  }

  /**
   * At most 50 tags, none with the `aws:` prefix in any case (EKS user guide, "Tag your Amazon EKS
   * resources"; messages ours).
   */
  private checkTags(tags: Record<string, string> | undefined, fields: Record<string, string>): void {
    const problem = tagProblem(tags);
    if (problem) throw invalidParameter(problem, fields);
  }

  /**
   * TagResource on a node group (the only resource the workflow tags); its tags and the new ones
   * together obey the same limits as on create.
   * @throws ApiError NotFoundException (no such resource), BadRequestException (the limits).
   */
  tagResource(resourceArn: string, tags: Record<string, string>): void {
    const nodegroup = this.nodegroupByArn(resourceArn);
    // Tags AWS set itself (aws:...) do not count toward the 50 (EKS user guide); new ones may not use it.
    const own = Object.fromEntries(
      Object.entries(nodegroup.tags ?? {}).filter(([key]) => !/^aws:/i.test(key)),
    );
    const problem = tagProblem({ ...own, ...tags });
    if (problem) throw new ApiError('BadRequestException', 400, problem);
    nodegroup.tags = { ...(nodegroup.tags ?? {}), ...tags };
  }

  /**
   * UntagResource: removes the keys; a key it does not have is no error, an `aws:` one cannot be removed.
   * @throws ApiError NotFoundException, BadRequestException.
   */
  untagResource(resourceArn: string, keys: readonly string[]): void {
    const nodegroup = this.nodegroupByArn(resourceArn);
    const reserved = keys.find((key) => /^aws:/i.test(key));
    if (reserved)
      throw new ApiError('BadRequestException', 400, `Tag key ${reserved} uses the reserved prefix aws:`);
    nodegroup.tags = Object.fromEntries(
      Object.entries(nodegroup.tags ?? {}).filter(([key]) => !keys.includes(key)),
    );
  }

  private nodegroupByArn(resourceArn: string): Nodegroup {
    const nodegroup = this.clusters
      .filter((cluster) => !cluster.deleted)
      .flatMap((cluster) => cluster.nodegroups)
      .find((candidate) => candidate.arn === resourceArn);
    if (!nodegroup) throw new ApiError('NotFoundException', 404, `Resource ${resourceArn} not found`);
    return nodegroup;
  }

  /** "All or none" of scalingConfig on create [sdk], with EKS's defaults 1/2/2 when none. */
  private checkCreateScaling(
    scaling: ScalingRequest | undefined,
    fields: Record<string, string>,
  ): { minSize: number; maxSize: number; desiredSize: number } {
    if (!scaling) return { minSize: 1, maxSize: 2, desiredSize: 2 };
    const { minSize, maxSize, desiredSize } = scaling;
    if (minSize === undefined || maxSize === undefined || desiredSize === undefined) {
      throw invalidParameter(
        'When creating a node group, specify all of minSize, maxSize and desiredSize in scalingConfig, or none',
        fields,
      );
    }
    this.checkScaling({ minSize, maxSize, desiredSize }, fields);
    return { minSize, maxSize, desiredSize };
  }

  private checkScaling(
    scaling: { minSize: number; maxSize: number; desiredSize: number },
    fields: Record<string, string>,
  ): void {
    if (scaling.maxSize < 1) throw invalidParameter('maxSize must be at least 1', fields);
    if (scaling.minSize > scaling.desiredSize) {
      throw invalidParameter(
        `Minimum capacity ${scaling.minSize} can't be greater than desired size ${scaling.desiredSize}`,
        fields,
      );
    }
    if (scaling.desiredSize > scaling.maxSize) {
      throw invalidParameter(
        `Desired capacity ${scaling.desiredSize} can't be greater than max size ${scaling.maxSize}`,
        fields,
      );
    }
  }

  /** maxUnavailable >= 1 or maxUnavailablePercentage 1-100, never both [sdk]; returns maxUnavailable. */
  private checkUpdateConfig(
    config: UpdateConfigRequest | undefined,
    fields: Record<string, string>,
  ): number | undefined {
    if (!config) return undefined;
    const { maxUnavailable, maxUnavailablePercentage } = config;
    if (maxUnavailable !== undefined && maxUnavailablePercentage !== undefined) {
      throw invalidParameter('Specify either maxUnavailable or maxUnavailablePercentage, not both', fields);
    }
    if (maxUnavailable !== undefined && (maxUnavailable < 1 || maxUnavailable > 100)) {
      throw invalidParameter('maxUnavailable must be between 1 and 100', fields);
    }
    if (
      maxUnavailablePercentage !== undefined &&
      (maxUnavailablePercentage < 1 || maxUnavailablePercentage > 100)
    ) {
      throw invalidParameter('maxUnavailablePercentage must be between 1 and 100', fields);
    }
    return maxUnavailable;
  }

  private updateConfigFields(config: UpdateConfigRequest | undefined): Partial<Nodegroup> {
    return {
      ...(config?.maxUnavailable === undefined ? {} : { maxUnavailable: config.maxUnavailable }),
      ...(config?.maxUnavailablePercentage === undefined
        ? {}
        : { maxUnavailablePercentage: config.maxUnavailablePercentage }),
      ...(config?.updateStrategy === undefined ? {} : { updateStrategy: config.updateStrategy }),
    };
  }

  /** The API docs: with a launch template, diskSize and remoteAccess go in the template; CUSTOM needs one. */
  private checkCreateLaunchTemplate(request: CreateNodegroupRequest, fields: Record<string, string>): void {
    const lt = request.launchTemplate;
    if (request.amiType === 'CUSTOM' && !lt) {
      throw invalidParameter('A node group with amiType CUSTOM needs a launchTemplate with its AMI', fields);
    }
    if (!lt) return;
    if (!lt.id === !lt.name) {
      throw invalidParameter('Specify either the id or the name of the launch template', fields);
    }
    if (lt.version !== undefined && !/^\d+$/.test(lt.version)) {
      throw invalidParameter(
        `Launch template version ${lt.version} is not valid; specify a version number`,
        fields,
      );
    }
    if (request.diskSize !== undefined) {
      throw invalidParameter(
        'Disk size must be specified within the launch template, not in diskSize',
        fields,
      );
    }
    if (request.remoteAccess) {
      throw invalidParameter(
        'Remote access configuration cannot be specified with a launch template',
        fields,
      );
    }
    if (
      request.amiType === 'CUSTOM' &&
      (request.version !== undefined || request.releaseVersion !== undefined)
    ) {
      throw invalidParameter(
        'With a custom AMI in the launch template, do not specify version or releaseVersion',
        fields,
      );
    }
  }

  /**
   * DeleteNodegroup: EKS sets the Auto Scaling group to 0 and drains each node; a node that has not drained
   * after 5 minutes (a pod disruption budget holding it) is terminated anyway (EKS user guide).
   * @throws ApiError ResourceInUseException, ResourceNotFoundException.
   */
  deleteNodegroup(clusterName: string, nodegroupName: string): Nodegroup {
    const cluster = this.cluster(clusterName);
    const ng = this.nodegroup(clusterName, nodegroupName);
    const fields = { clusterName, nodegroupName };
    const busy = this.inProgress(cluster, (u) => u.nodegroupName === nodegroupName);
    if (busy) {
      throw inUse(
        `Nodegroup ${nodegroupName} cannot be deleted because it currently has update ${busy.id} in progress`,
        fields,
      );
    }
    if (ng.status === 'CREATING' || ng.status === 'DELETING') {
      throw inUse(`Nodegroup ${nodegroupName} is ${ng.status} and cannot be deleted now`, fields);
    }
    const timings = this.scenario.timings;
    const blockedByPdb = this.scenario.faults.some(
      (f) => f.type === 'pdb-blocked' && f.cluster === clusterName && f.nodegroup === nodegroupName,
    );
    const draw = this.drawsFor(`${clusterName}/nodegroup/${nodegroupName}/delete`);
    const drain = blockedByPdb
      ? timings.nodegroupDeleteDrainTimeoutMinutes * minute
      : draw(timings.podEviction);
    const asg = ng.asg;
    ng.status = 'DELETING';
    ng.modifiedAt = this.clock;
    asg.minSize = 0;
    asg.maxSize = 0;
    asg.desiredCapacity = 0;
    const nodes = asg.instances.filter((i) => i.lifecycleState !== 'Terminating');
    const terminateAt = this.clock + drain;
    const goneAt = terminateAt + draw(timings.instanceTerminate);
    this.schedule(terminateAt, () => {
      for (const instance of nodes) this.beginTermination(asg, instance);
    });
    this.schedule(goneAt, () => {
      for (const instance of nodes) this.finishTermination(asg, instance, false);
      asg.deleted = true;
      ng.status = 'DELETED';
      cluster.nodegroups = cluster.nodegroups.filter((n) => n !== ng);
    });
    return ng;
  }

  /**
   * UpdateNodegroupConfig: a ConfigUpdate; lowering desiredSize terminates nodes without honouring pod
   * disruption budgets (EKS-FACTS 7.3).
   * @throws ApiError InvalidParameterException, ResourceInUseException, ResourceNotFoundException.
   */
  updateNodegroupConfig(
    clusterName: string,
    nodegroupName: string,
    request: NodegroupConfigRequest,
  ): UpdateRecord {
    const cluster = this.cluster(clusterName);
    const ng = this.nodegroup(clusterName, nodegroupName);
    const tokenKey =
      request.clientRequestToken &&
      `nodegroup-config/${clusterName}/${nodegroupName}/${request.clientRequestToken}`;
    const previous = tokenKey ? this.tokens.get(tokenKey) : undefined;
    if (previous) return previous;
    const fields = { clusterName, nodegroupName };
    this.rejectIfNodegroupCannotUpdate(cluster, ng, 'ConfigUpdate', fields);
    const params = this.configUpdateParams(request, fields);
    if (params.length === 0) {
      throw invalidParameter(`No changes were specified for nodegroup ${nodegroupName}`, fields);
    }
    const scaling = {
      minSize: request.scalingConfig?.minSize ?? ng.minSize,
      maxSize: request.scalingConfig?.maxSize ?? ng.maxSize,
      desiredSize: request.scalingConfig?.desiredSize ?? ng.desiredSize,
    };
    this.checkScaling(scaling, fields);
    this.checkUpdateConfig(request.updateConfig, fields);
    const update = this.newUpdate(cluster, 'ConfigUpdate', 'client', params, { nodegroupName });
    if (tokenKey) this.tokens.set(tokenKey, update);
    ng.status = 'UPDATING';
    ng.modifiedAt = this.clock;
    this.step(update, this.clock + this.scenario.timings.nodegroupConfigUpdateMinutes * minute, () => {
      this.applyNodegroupConfig(ng, request, scaling, this.durations(update));
      ng.status = 'ACTIVE';
      ng.modifiedAt = this.clock;
      this.end(update, 'Successful');
    });
    return update;
  }

  /** The update's params, named as EKS names them (UpdateParamType). @throws ApiError InvalidParameterException. */
  private configUpdateParams(
    request: NodegroupConfigRequest,
    fields: Record<string, string>,
  ): UpdateRecord['params'] {
    const params: UpdateRecord['params'] = [];
    const add = (type: string, value: unknown): void => {
      if (value !== undefined)
        params.push({ type, value: typeof value === 'string' ? value : JSON.stringify(value) });
    };
    const added = Object.keys(request.labels?.addOrUpdateLabels ?? {});
    const both = added.filter((k) => request.labels?.removeLabels?.includes(k));
    if (both.length > 0) {
      throw invalidParameter(`Labels ${both.join(', ')} cannot be both added and removed`, fields);
    }
    if (added.length > 0) add('LabelsToAdd', request.labels?.addOrUpdateLabels);
    if (request.labels?.removeLabels?.length) add('LabelsToRemove', request.labels.removeLabels);
    if (request.taints?.addOrUpdateTaints?.length) add('TaintsToAdd', request.taints.addOrUpdateTaints);
    if (request.taints?.removeTaints?.length) add('TaintsToRemove', request.taints.removeTaints);
    add('MinSize', request.scalingConfig?.minSize?.toString());
    add('MaxSize', request.scalingConfig?.maxSize?.toString());
    add('DesiredSize', request.scalingConfig?.desiredSize?.toString());
    add('MaxUnavailable', request.updateConfig?.maxUnavailable?.toString());
    add('MaxUnavailablePercentage', request.updateConfig?.maxUnavailablePercentage?.toString());
    add('UpdateStrategy', request.updateConfig?.updateStrategy);
    add('NodeRepairEnabled', request.nodeRepairConfig?.enabled?.toString());
    return params;
  }

  private applyNodegroupConfig(
    ng: Nodegroup,
    request: NodegroupConfigRequest,
    scaling: { minSize: number; maxSize: number; desiredSize: number },
    draw: (d: Duration) => number,
  ): void {
    const labels = { ...(ng.labels ?? {}), ...(request.labels?.addOrUpdateLabels ?? {}) };
    for (const key of request.labels?.removeLabels ?? []) delete labels[key];
    const removed = request.taints?.removeTaints ?? [];
    const added = request.taints?.addOrUpdateTaints ?? [];
    const taints = (ng.taints ?? []).filter(
      (t) =>
        !removed.some((r) => r.key === t.key && r.effect === t.effect) && !added.some((a) => a.key === t.key),
    );
    Object.assign(ng, {
      labels,
      taints: [...taints, ...added],
      ...this.updateConfigFields(request.updateConfig),
    });
    // A number replaces a percentage and the reverse: a node group has one of the two.
    if (request.updateConfig?.maxUnavailable !== undefined) delete ng.maxUnavailablePercentage;
    if (request.nodeRepairConfig?.enabled !== undefined)
      ng.nodeRepairEnabled = request.nodeRepairConfig.enabled;
    this.resizeNodegroup(ng, scaling, draw);
  }

  /** New capacity: extra nodes launch; surplus nodes are terminated at once, pod disruption budgets or not. */
  private resizeNodegroup(
    ng: Nodegroup,
    scaling: { minSize: number; maxSize: number; desiredSize: number },
    draw: (d: Duration) => number,
  ): void {
    const asg = ng.asg;
    const timings = this.scenario.timings;
    const live = asg.instances.filter(
      (i) => i.lifecycleState === 'InService' || i.lifecycleState === 'Pending',
    );
    const from = asg.desiredCapacity;
    Object.assign(ng, scaling);
    asg.minSize = scaling.minSize;
    asg.maxSize = scaling.maxSize;
    asg.desiredCapacity = scaling.desiredSize;
    const surplus = live.slice(scaling.desiredSize);
    for (const instance of surplus) this.beginTermination(asg, instance);
    this.schedule(this.clock + draw(timings.instanceTerminate), () => {
      for (const instance of surplus) this.finishTermination(asg, instance, false);
    });
    const cause = `a user request update of AutoScalingGroup constraints to min: ${asg.minSize}, max: ${asg.maxSize}, desired: ${asg.desiredCapacity} changing the desired capacity from ${from} to ${asg.desiredCapacity}`;
    const launched = Array.from({ length: Math.max(0, scaling.desiredSize - live.length) }, () =>
      this.launch(asg, asg.launchTemplate.version, ng.instanceType, cause),
    );
    this.schedule(this.clock + draw(timings.instanceLaunch), () => {
      for (const instance of launched) this.markInService(asg, instance);
    });
  }

  /** Real text [obs] (containers-roadmap#2204): a node group not ACTIVE takes no update. */
  private rejectIfNodegroupNotActive(ng: Nodegroup, fields: Record<string, string>): void {
    if (ng.status !== 'ACTIVE' && ng.status !== 'DEGRADED') {
      throw inUse('Nodegroup cannot be updated as it is currently not in Active State', fields);
    }
  }

  /** The batch size of a rolling update: maxUnavailable, or that percentage of the nodes (at least 1). */
  private maxUnavailableNodes(ng: Nodegroup, nodes: number): number {
    if (ng.maxUnavailablePercentage === undefined) return ng.maxUnavailable;
    return Math.max(1, Math.floor((nodes * ng.maxUnavailablePercentage) / 100));
  }

  // ---- insights: EKS's 24 h cycle and StartInsightsRefresh --------------------------------------

  private scheduleDailyInsightsRefresh(cluster: Cluster, at: number): void {
    this.schedule(at, () => {
      if (cluster.deleted) return;
      this.recomputeInsights(cluster);
      this.scheduleDailyInsightsRefresh(cluster, at + day);
    });
  }

  /**
   * StartInsightsRefresh: IN_PROGRESS for insightsRefreshMinutes, then the insights reflect the cluster as
   * it is then. A refresh already running is answered as it is.
   * @throws ApiError InvalidRequestException, ResourceNotFoundException.
   */
  startInsightsRefresh(clusterName: string): InsightsRefresh {
    const cluster = this.cluster(clusterName);
    if (cluster.status === 'DELETING') {
      throw new ApiError('InvalidRequestException', 400, `Cluster ${clusterName} is being deleted`, {
        clusterName,
      });
    }
    if (cluster.insightsRefresh?.status === 'IN_PROGRESS') return cluster.insightsRefresh;
    const refresh: InsightsRefresh = { status: 'IN_PROGRESS', startedAt: this.clock };
    cluster.insightsRefresh = refresh;
    cluster.insightsRefreshes.push(refresh);
    this.schedule(this.clock + this.scenario.timings.insightsRefreshMinutes * minute, () => {
      if (cluster.deleted) return;
      this.recomputeInsights(cluster);
      refresh.status = 'COMPLETED';
      refresh.endedAt = this.clock;
    });
    return refresh;
  }

  /** @throws ApiError ResourceNotFoundException when the cluster never had an on-demand refresh. */
  describeInsightsRefresh(clusterName: string): InsightsRefresh {
    const refresh = this.cluster(clusterName).insightsRefresh;
    if (!refresh) {
      throw notFound(`No insights refresh found for cluster ${clusterName}`, { clusterName });
    }
    return refresh;
  }

  /** @throws ApiError ResourceNotFoundException for an unknown insight id. */
  insight(clusterName: string, id: string): Insight {
    const insight = this.cluster(clusterName).insights.find((i) => i.id === id);
    if (!insight) throw notFound(`No insight found for id: ${id}`, { clusterName });
    return insight;
  }

  /** What EKS computes on a refresh: scenario changes due by now, kubelet skew, rollback readiness. */
  private recomputeInsights(cluster: Cluster): void {
    const declared = this.scenario.clusters.find((c) => c.name === cluster.name)?.insights ?? [];
    declared.forEach((d, n) => {
      const insight = cluster.insights.find(
        (i) => i.id === (d.id ?? uuidFrom(`${cluster.name}/insight/${n}`)),
      );
      if (!insight) return;
      const change = d.changes.filter((c) => this.start + c.atSecond * 1000 <= this.clock).at(-1);
      const next = change
        ? { status: change.status, reason: change.reason ?? insight.reason }
        : d.name === 'Kubelet version skew'
          ? this.kubeletSkewFinding(cluster, d.kubernetesVersion)
          : { status: d.status, reason: d.reason };
      if (next.status !== insight.status) insight.transitionedAt = this.clock;
      Object.assign(insight, next);
    });
    this.recomputeRollbackReadiness(cluster);
    cluster.insightsRefreshedAt = this.clock;
  }

  /**
   * Every node's kubelet against the skew rule of the version the insight is about: managed node
   * groups' nodes (named by resource name, <instance id>.<zone suffix>) and every node the node group
   * API does not list (self-managed, Karpenter, hybrid, Fargate pods) (EKS-FACTS 7.4).
   */
  private kubeletSkewFinding(
    cluster: Cluster,
    target: string,
  ): { status: string; reason: string; resources: Array<{ uri: string; status: string }> } {
    const outside = (kubelet: string) => {
      const lag = Number(target.split('.')[1]) - Number(kubelet.split('.')[1]);
      return lag > (compareMinor(kubelet, '1.25') >= 0 ? 3 : 2);
    };
    const suffix =
      this.scenario.region === 'us-east-1' ? 'ec2.internal' : `${this.scenario.region}.compute.internal`;
    const behind = cluster.nodegroups.filter((ng) => outside(ng.version));
    const nodes = [
      ...behind.flatMap((ng) =>
        ng.asg.instances.filter((i) => i.lifecycleState !== 'Terminating').map((i) => `${i.id}.${suffix}`),
      ),
      ...cluster.unmanagedNodes.filter((node) => outside(node.kubeletVersion)).map((node) => node.name),
    ];
    const resources = nodes.map((node) => ({ uri: `/api/v1/nodes/${node}`, status: 'ERROR' }));
    if (nodes.length > 0) {
      const others = nodes.length - behind.reduce((sum, ng) => sum + ng.asg.instances.length, 0);
      const who = [
        ...(behind.length > 0 ? [`Node groups ${behind.map((ng) => ng.name).join(', ')}`] : []),
        ...(others > 0 ? [`${others} ${behind.length > 0 ? 'other ' : ''}node${others > 1 ? 's' : ''}`] : []),
      ].join(' and ');
      return {
        status: 'ERROR',
        reason: `${who} would be outside the supported kubelet version skew of v${target}.`,
        resources,
      };
    }
    // Nodes behind the control plane but within the rule: a WARNING naming them (the stricter reading
    // of what EKS reports for them, UNVERIFIED; see the README).
    const lagging = [
      ...cluster.nodegroups
        .filter((ng) => ng.version !== cluster.version)
        .flatMap((ng) =>
          ng.asg.instances.filter((i) => i.lifecycleState !== 'Terminating').map((i) => `${i.id}.${suffix}`),
        ),
      ...cluster.unmanagedNodes
        .filter((node) => node.kubeletVersion !== cluster.version)
        .map((node) => node.name),
    ];
    if (lagging.length > 0) {
      return {
        status: 'WARNING',
        reason: 'Node kubelet versions are behind the control plane.',
        resources: lagging.map((node) => ({ uri: `/api/v1/nodes/${node}`, status: 'WARNING' })),
      };
    }
    return {
      status: 'PASSING',
      reason: 'Node kubelet versions match the cluster control plane version.',
      resources: [],
    };
  }

  /**
   * ROLLBACK_READINESS exists only within 7 days after an in-place upgrade; a kubelet already on the new
   * version blocks the rollback (EKS-FACTS 7.1).
   */
  private recomputeRollbackReadiness(cluster: Cluster): void {
    const ids = [uuidFrom(`${cluster.name}/rollback-readiness`), uuidFrom(`${cluster.name}/rollback-addons`)];
    cluster.insights = cluster.insights.filter((i) => !ids.includes(i.id));
    const upgrade = this.lastVersionChange(cluster);
    if (upgrade?.type !== 'VersionUpdate' || !upgrade.endedAt || this.clock - upgrade.endedAt > 7 * day)
      return;
    const previous = previousMinor(cluster.version);
    const onNew = cluster.nodegroups.filter((ng) => ng.version === cluster.version);
    const addons = this.rollbackBlockers(cluster, previous).filter((blocker) =>
      blocker.startsWith('add-ons'),
    );
    const common = {
      category: 'ROLLBACK_READINESS',
      kubernetesVersion: previous,
      transitionedAt: this.clock,
    };
    cluster.insights.push(
      {
        ...common,
        id: ids[0] ?? '',
        name: 'Kubelet version for rollback',
        status: onNew.length > 0 ? 'ERROR' : 'PASSING',
        reason:
          onNew.length > 0
            ? `Node groups ${onNew.map((ng) => ng.name).join(', ')} run kubelet v${cluster.version}; roll them back before the control plane.`
            : `No node runs kubelet v${cluster.version}.`,
        description: `Checks that no node runs a kubelet newer than v${previous}, the version a rollback returns the control plane to.`,
      },
      {
        ...common,
        id: ids[1] ?? '',
        name: 'Add-on version compatibility for rollback',
        status: addons.length > 0 ? 'ERROR' : 'PASSING',
        reason: addons.length > 0 ? `The ${addons.join('; ')}.` : `Every EKS add-on runs on v${previous}.`,
        description: `Checks that every EKS add-on's version is compatible with v${previous}, the version a rollback returns the control plane to.`,
      },
    );
  }

  // ---- CloudWatch alarms ---------------------------------------------------------------------

  /** Each scenario alarm in the state it has now; before its first state it is INSUFFICIENT_DATA. */
  alarms(): AlarmState[] {
    const { region, accountId } = this.scenario;
    return this.scenario.alarms.map((a) => {
      const timed = a.states.flatMap((s) => {
        const at = this.alarmStateStart(s);
        return at !== undefined && at <= this.clock ? [{ ...s, at }] : [];
      });
      const current = timed.sort((x, y) => x.at - y.at).at(-1);
      return {
        name: a.name,
        arn: `arn:aws:cloudwatch:${region}:${accountId}:alarm:${a.name}`,
        namespace: a.namespace,
        metricName: a.metricName,
        ...(a.description === undefined ? {} : { description: a.description }),
        threshold: a.threshold,
        value: current?.value ?? 'INSUFFICIENT_DATA',
        reason:
          current?.reason ??
          (current ? `Alarm entered ${current.value}` : 'Unchecked: Initial alarm creation'),
        updatedAt: current ? current.at : this.start,
      };
    });
  }

  /** When an alarm state begins: at its second, or minutes after a cluster's upgrade to a version ended. */
  private alarmStateStart(state: Scenario['alarms'][number]['states'][number]): number | undefined {
    if (!state.afterUpgrade) return this.start + state.atSecond * 1000;
    const { cluster, version, minutes } = state.afterUpgrade;
    const upgrade = this.clusters
      .find((c) => c.name === cluster)
      ?.updates.find(
        (u) => u.type === 'VersionUpdate' && u.status === 'Successful' && upgradedTo(u) === version,
      );
    return upgrade?.endedAt === undefined ? undefined : upgrade.endedAt + minutes * minute;
  }

  // ---- SNS -----------------------------------------------------------------------------------

  publish(topicArn: string, message: string, subject: string | undefined): Published {
    const entry: Published = {
      topicArn,
      message,
      at: this.clock,
      messageId: this.nextId('message'),
      ...(subject === undefined ? {} : { subject }),
    };
    this.published.push(entry);
    return entry;
  }
}

/** What EKS refuses in a resource's tags: over 50, keys over 128 or values over 256 characters, the reserved `aws:` prefix in any case. */
function tagProblem(tags: Record<string, string> | undefined): string | undefined {
  const keys = Object.keys(tags ?? {});
  if (keys.length > 50) return `${keys.length} tags given; a resource takes at most 50`;
  const long = Object.entries(tags ?? {}).find(
    ([key, value]) => key.length < 1 || key.length > 128 || value.length > 256,
  );
  if (long) return `Tag ${long[0]} is too long: keys take 1 to 128 characters, values at most 256`;
  const reserved = keys.find((key) => /^aws:/i.test(key));
  return reserved ? `Tag key ${reserved} uses the reserved prefix aws:` : undefined;
}
