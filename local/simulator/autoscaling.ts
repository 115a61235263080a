import { ApiError, type AutoScalingGroup, type Instance, type World } from './model.ts';
import { paginate } from './wire.ts';

// EC2 Auto Scaling operations (awsQuery). Each returns the object under <Action>Result; query-protocol.ts
// turns it into XML. Lists are { member: [...] }, timestamps ISO-8601, as the awsQuery deserializer expects.

export type QueryParams = Record<string, string>;
type XmlValue = string | number | boolean | XmlObject | XmlValue[];
export interface XmlObject {
  [key: string]: XmlValue;
}

const validation = (message: string): ApiError => new ApiError('ValidationError', 400, message);
const badToken = (message: string): ApiError => new ApiError('InvalidNextToken', 400, message);

/** Values of a list parameter (Name.member.1, Name.member.2, ...), in order; `Name=` is an empty list. */
export function memberList(params: QueryParams, name: string): string[] {
  const out: string[] = [];
  for (let i = 1; params[`${name}.member.${i}`] !== undefined; i++)
    out.push(params[`${name}.member.${i}`] ?? '');
  return out;
}

/** An XML list: an empty element when there are no items. */
export function xmlList(items: XmlValue[]): XmlValue {
  return items.length === 0 ? '' : { member: items };
}

function maxRecords(params: QueryParams): number | undefined {
  const raw = params.MaxRecords;
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw validation('MaxRecords must be an integer');
  return n;
}

const iso = (ms: number): string => new Date(ms).toISOString();

function instanceShape(group: AutoScalingGroup, i: Instance): XmlObject {
  return {
    InstanceId: i.id,
    InstanceType: i.instanceType,
    AvailabilityZone: i.availabilityZone,
    LifecycleState: i.lifecycleState,
    HealthStatus: 'Healthy',
    LaunchTemplate: {
      LaunchTemplateId: group.launchTemplate.id,
      LaunchTemplateName: group.launchTemplate.name,
      Version: String(i.launchTemplateVersion),
    },
    ProtectedFromScaleIn: false,
  };
}

/**
 * How the group names its launch template. A managed node group of Spot capacity or several
 * instance types gets a MixedInstancesPolicy (instance type overrides, capacity-optimized Spot), with
 * the launch template inside it and none at the top (EC2 Auto Scaling API reference,
 * AutoScalingGroup: LaunchTemplate or MixedInstancesPolicy; EKS user guide, managed node groups:
 * Spot capacity is allocated capacity-optimized across the instance types given).
 */
function launchTemplateShape(world: World, g: AutoScalingGroup): XmlObject {
  const specification = {
    LaunchTemplateId: g.launchTemplate.id,
    LaunchTemplateName: g.launchTemplate.name,
    Version: String(g.launchTemplate.version),
  };
  const owner = world.clusters.flatMap((cluster) => cluster.nodegroups).find((ng) => ng.asg === g);
  const instanceTypes = owner?.instanceTypes ?? (owner ? [owner.instanceType] : []);
  const spot = owner?.capacityType === 'SPOT';
  if (!owner || (!spot && instanceTypes.length <= 1)) return { LaunchTemplate: specification };
  return {
    MixedInstancesPolicy: {
      LaunchTemplate: {
        LaunchTemplateSpecification: specification,
        Overrides: xmlList(instanceTypes.map((InstanceType) => ({ InstanceType }))),
      },
      InstancesDistribution: {
        OnDemandAllocationStrategy: 'prioritized',
        OnDemandBaseCapacity: 0,
        OnDemandPercentageAboveBaseCapacity: spot ? 0 : 100,
        SpotAllocationStrategy: 'capacity-optimized',
      },
    },
  };
}

function groupShape(world: World, g: AutoScalingGroup): XmlObject {
  return {
    AutoScalingGroupName: g.name,
    AutoScalingGroupARN: g.arn,
    ...launchTemplateShape(world, g),
    MinSize: g.minSize,
    MaxSize: g.maxSize,
    DesiredCapacity: g.desiredCapacity,
    DefaultCooldown: 300,
    AvailabilityZones: xmlList(g.availabilityZones),
    LoadBalancerNames: xmlList([]),
    TargetGroupARNs: xmlList([]),
    HealthCheckType: 'EC2',
    HealthCheckGracePeriod: 15,
    Instances: xmlList(
      g.instances.filter((i) => i.lifecycleState !== 'Terminated').map((i) => instanceShape(g, i)),
    ),
    CreatedTime: iso(g.createdAt),
    SuspendedProcesses: xmlList([]),
    VPCZoneIdentifier: g.subnetIds.join(','),
    EnabledMetrics: xmlList([]),
    Tags: xmlList(
      Object.entries(g.tags).map(([Key, Value]) => ({
        ResourceId: g.name,
        ResourceType: 'auto-scaling-group',
        Key,
        Value,
        PropagateAtLaunch: true,
      })),
    ),
    TerminationPolicies: xmlList(['AllocationStrategy', 'OldestLaunchTemplate', 'OldestInstance']),
    NewInstancesProtectedFromScaleIn: false,
    ServiceLinkedRoleARN: `arn:aws:iam::${world.scenario.accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
    CapacityRebalance: true,
  };
}

/** Filters.member.N.Name / Filters.member.N.Values.member.M, for tag:<key>, tag-key and tag-value. */
function matchesFilters(params: QueryParams, g: AutoScalingGroup): boolean {
  for (let n = 1; params[`Filters.member.${n}.Name`] !== undefined; n++) {
    const name = params[`Filters.member.${n}.Name`] ?? '';
    const values = memberList(params, `Filters.member.${n}.Values`);
    const tags = Object.entries(g.tags);
    let ok: boolean;
    if (name.startsWith('tag:')) {
      const value = g.tags[name.slice(4)];
      ok = value !== undefined && values.includes(value);
    } else if (name === 'tag-key') {
      ok = tags.some(([key]) => values.includes(key));
    } else if (name === 'tag-value') {
      ok = tags.some(([, value]) => values.includes(value));
    } else {
      throw validation(`Filter name ${name} is not valid`);
    }
    if (!ok) return false;
  }
  return true;
}

export const autoScalingOperations: Record<string, (world: World, params: QueryParams) => XmlObject> = {
  DescribeAutoScalingGroups: (world, params) => {
    const names = memberList(params, 'AutoScalingGroupNames');
    const groups = world
      .liveAutoScalingGroups()
      .filter((g) => (names.length === 0 || names.includes(g.name)) && matchesFilters(params, g))
      .sort((a, b) => a.name.localeCompare(b.name));
    const { page, nextToken } = paginate(
      groups,
      {
        maxResults: maxRecords(params),
        nextToken: params.NextToken || undefined,
        defaultMax: 50,
        limit: 100,
        maxName: 'MaxRecords',
      },
      params.NextToken ? badToken : validation,
    );
    return {
      AutoScalingGroups: xmlList(page.map((g) => groupShape(world, g))),
      ...(nextToken ? { NextToken: nextToken } : {}),
    };
  },
  DescribeScalingActivities: (world, params) => {
    const groupName = params.AutoScalingGroupName || undefined;
    const ids = memberList(params, 'ActivityIds');
    const includeDeleted = params.IncludeDeletedGroups === 'true';
    const groups = world.clusters
      .flatMap((c) => c.nodegroups.map((ng) => ng.asg))
      .filter((g) => (includeDeleted || !g.deleted) && (groupName === undefined || g.name === groupName));
    // Newest first, as Auto Scaling lists them.
    const activities = groups
      .flatMap((g) => g.activities.map((a, n) => ({ a, g, n })))
      .filter(({ a }) => ids.length === 0 || ids.includes(a.id))
      .sort((x, y) => y.a.startTime - x.a.startTime || y.n - x.n);
    const { page, nextToken } = paginate(
      activities,
      {
        maxResults: maxRecords(params),
        nextToken: params.NextToken || undefined,
        defaultMax: 100,
        limit: 100,
        maxName: 'MaxRecords',
      },
      params.NextToken ? badToken : validation,
    );
    return {
      Activities: xmlList(
        page.map(({ a, g }) => ({
          ActivityId: a.id,
          AutoScalingGroupName: a.autoScalingGroupName,
          Description: a.description,
          Cause: a.cause,
          StartTime: iso(a.startTime),
          ...(a.endTime === undefined ? {} : { EndTime: iso(a.endTime) }),
          StatusCode: a.statusCode,
          Progress: a.progress,
          Details: a.details,
          AutoScalingGroupARN: g.arn,
        })),
      ),
      ...(nextToken ? { NextToken: nextToken } : {}),
    };
  },
};
