import {
  DescribeClusterCommand,
  type EKSClient,
  paginateDescribeClusterVersions,
  paginateListNodegroups,
} from '@aws-sdk/client-eks';
import { readAddonCatalog } from '../shared/addon-steps.ts';
import { RollbackRefusedError } from '../shared/errors.ts';
import { describeNodegroupIfPresent } from '../shared/nodegroups.ts';
import type { AddonStep, GateState, RollbackPlan } from '../shared/types.ts';

export interface PlanRollbackEvent {
  clusterName: string;
  /** The hop to take back: the control plane goes from `to` back to `from`. */
  hop: { from: string; to: string };
  /** The gate that failed: when the hop ended (the 7-day window) and what blocks a rollback. */
  gate: GateState;
  /** The hop's add-on updates, as planned: undone in reverse order. */
  addonSteps: AddonStep[];
}

export interface PlanRollbackDeps {
  eks: EKSClient;
  now: () => Date;
}

/**
 * Read-only: checks every rule EKS has for a rollback (EKS-FACTS 7.1) and plans it: the hop's
 * add-on updates undone last first, then the control plane back to the version before. Node
 * groups are not touched; one already on the hop's version refuses the rollback, as EKS would.
 * @throws RollbackRefusedError naming the rule, before anything moves.
 */
export async function planRollback(
  event: PlanRollbackEvent,
  { eks, now }: PlanRollbackDeps,
): Promise<RollbackPlan> {
  const { clusterName, hop, gate } = event;
  const refuse = (why: string) =>
    new RollbackRefusedError(
      `${gate.failure?.cause ?? 'A health gate failed.'} The rollback to ${hop.from} was refused before anything moved: ${why}. The cluster stays on ${hop.to}, its node groups where they were; look at it before running again.`,
    );
  if (now().getTime() > Date.parse(gate.rollbackPossibleUntil)) {
    throw refuse(
      `EKS allows a rollback only within 7 days of the upgrade, which ended ${gate.hopFinishedAt}`,
    );
  }
  const { cluster } = await eks.send(new DescribeClusterCommand({ name: clusterName }));
  if (cluster?.version !== hop.to && cluster?.version !== hop.from) {
    throw refuse(
      `the control plane is on ${cluster?.version ?? 'an unknown version'}, moved outside this run`,
    );
  }
  const support = await versionStatus(eks, hop.from);
  if (support === 'UNSUPPORTED' || support === undefined) {
    throw refuse(`Kubernetes ${hop.from} is no longer supported by EKS`);
  }
  if (support === 'EXTENDED_SUPPORT' && (cluster.upgradePolicy?.supportType ?? 'EXTENDED') !== 'EXTENDED') {
    throw refuse(
      `Kubernetes ${hop.from} is in extended support and the cluster's upgrade policy is STANDARD`,
    );
  }
  const onNewVersion = await nodegroupsOn(eks, clusterName, hop.to);
  if (onNewVersion.length > 0) {
    throw refuse(
      `node groups ${onNewVersion.join(', ')} already run kubelet ${hop.to}, and EKS refuses a rollback while any kubelet is on the newer version`,
    );
  }
  if (gate.rollbackBlockers && gate.rollbackBlockers.length > 0) {
    throw refuse(`EKS's rollback readiness insights report ${gate.rollbackBlockers.join('; ')}`);
  }

  const addons = [...event.addonSteps].reverse().map(
    (step): AddonStep => ({
      name: step.name,
      from: step.to,
      to: step.from,
      clusterVersion: hop.to,
      rollback: true,
    }),
  );
  // Each add-on goes back while the control plane is still on the hop's version: EKS must offer that version there.
  for (const step of addons) {
    const catalog = await readAddonCatalog(eks, step.name, hop.to);
    if (!catalog?.versions.includes(step.to)) {
      throw refuse(
        `add-on ${step.name} cannot go back to ${step.to}: EKS does not offer it on Kubernetes ${hop.to}`,
      );
    }
  }
  return {
    controlPlane: { from: hop.to, to: hop.from },
    addons,
    untouched: `Not rolled back: node groups (none had moved to ${hop.to}), and what earlier hops of this run changed.`,
  };
}

async function versionStatus(eks: EKSClient, version: string): Promise<string | undefined> {
  for await (const page of paginateDescribeClusterVersions(
    { client: eks },
    { clusterVersions: [version], includeAll: true },
  )) {
    const found = page.clusterVersions?.find((info) => info.clusterVersion === version);
    if (found) return found.versionStatus ?? 'UNKNOWN';
  }
  return undefined;
}

/** The cluster's managed node groups on the version, by name. */
async function nodegroupsOn(eks: EKSClient, clusterName: string, version: string): Promise<string[]> {
  const names: string[] = [];
  for await (const page of paginateListNodegroups({ client: eks }, { clusterName })) {
    names.push(...(page.nodegroups ?? []));
  }
  const found: string[] = [];
  for (const name of names) {
    const nodegroup = await describeNodegroupIfPresent(eks, clusterName, name);
    if (nodegroup?.version === version) found.push(name);
  }
  return found;
}
