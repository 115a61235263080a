import { loadScenario, type Scenario } from './scenario.ts';

// Scenarios built from the stored ones, for sizes no one would write out by hand: the bench's large
// cluster and fleet, and the history-quota tests.

/**
 * multi-hop's cluster with `count` AL2023 node groups on 1.24 of `nodes` nodes each: its catalog
 * (Kubernetes versions, AL2023 releases, add-on versions) reaches 1.33, so taking it there is nine
 * control-plane hops. `slowdown` stretches every node-group step's distribution but the evictions
 * (past EKS's 15-minute drain timeout they would fail the update instead).
 */
export function clusterWithNodegroups(
  count: number,
  { slowdown = 1, nodes }: { slowdown?: number; nodes?: number } = {},
): Scenario {
  const scenario = loadScenario('multi-hop');
  const [cluster] = scenario.clusters;
  const template = cluster?.nodegroups.find((nodegroup) => nodegroup.amiType === 'AL2023_x86_64_STANDARD');
  if (!cluster || !template) throw new Error('multi-hop has no AL2023 node group to copy');
  cluster.nodegroups = Array.from({ length: count }, (_, index) => ({
    ...template,
    ...(nodes ? { desiredSize: nodes, minSize: 1, maxSize: nodes + 1 } : {}),
    name: `ng-${String(index + 1).padStart(3, '0')}`,
    autoScalingGroupName: `eks-ng-${index + 1}-asg`,
  }));
  for (const step of ['instanceLaunch', 'instanceTerminate', 'scaleDown'] as const) {
    const timing = scenario.timings[step];
    scenario.timings[step] = Object.fromEntries(
      Object.entries(timing).map(([key, value]) => [key, (value ?? 0) * slowdown]),
    ) as typeof timing;
  }
  return scenario;
}

/**
 * `count` copies of the waves scenario's dev-1 (1.30, two node groups of two nodes), named
 * cluster-01..., with no alarm: a fleet that only takes time.
 */
export function fleetOfClusters(count: number): Scenario {
  const scenario = loadScenario('waves');
  const [template] = scenario.clusters;
  if (!template) throw new Error('waves has no cluster to copy');
  const clusters = Array.from({ length: count }, (_, index) => {
    const name = `cluster-${String(index + 1).padStart(2, '0')}`;
    return {
      ...template,
      name,
      nodegroups: template.nodegroups.map((nodegroup) => ({
        ...nodegroup,
        autoScalingGroupName: `eks-${nodegroup.name}-${name}-asg`,
      })),
    };
  });
  return { ...scenario, name: `fleet-${count}`, clusters, alarms: [] };
}
