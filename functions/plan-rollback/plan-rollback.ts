import {
  DescribeAddonCommand,
  DescribeClusterCommand,
  type EKSClient,
  paginateListAddons,
} from '@aws-sdk/client-eks';
import { readAddonCatalog } from '../shared/addon-steps.ts';
import { RollbackRefusedError } from '../shared/errors.ts';
import { rollbackRefusal } from '../shared/rollback-rules.ts';
import type { AddonStep, GateState, RollbackPlan } from '../shared/types.ts';

export interface PlanRollbackEvent {
  clusterName: string;
  /** The hop to take back: the control plane goes from `to` back to `from`. */
  hop: { from: string; to: string };
  /** The gate that failed: when the hop ended (the 7-day window) and what blocks a rollback. */
  gate: GateState;
  /** The hop's add-on updates, as planned: undone as far as the add-ons went along them. */
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
  const { cluster } = await eks.send(new DescribeClusterCommand({ name: clusterName }));
  const why = await rollbackRefusal(eks, {
    cluster: cluster ?? {},
    from: hop.to,
    to: hop.from,
    windowEnds: gate.rollbackPossibleUntil,
    // Add-ons that do not run on N-1 are what the rollback moves back first: EKS's readiness insight
    // about them (its wording UNVERIFIED) would otherwise refuse the very rollback that fixes it.
    blockers: (gate.rollbackBlockers ?? []).filter((blocker) => !/add-?on/i.test(blocker)),
    now: now(),
  });
  if (why) throw refuse(why);

  const addons = await undoSteps(eks, event, refuse);
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
    reason: gate.failure?.cause ?? 'A health gate failed.',
    automatic: true,
  };
}

/**
 * The hop's add-on steps to undo, last first, read from where each add-on is now (a redrive or a
 * rerun finds steps done by an earlier attempt, which its own results call skipped): each planned
 * step up to the version the add-on runs goes back. An add-on off the planned path, or one the hop
 * did not touch, must already run on the version before the hop, or EKS would refuse the rollback.
 * @throws RollbackRefusedError (through `refuse`) naming an add-on that does not run on N-1.
 */
async function undoSteps(
  eks: EKSClient,
  { clusterName, hop, addonSteps }: PlanRollbackEvent,
  refuse: (why: string) => Error,
): Promise<AddonStep[]> {
  const installed = new Map<string, string>();
  for await (const page of paginateListAddons({ client: eks }, { clusterName })) {
    for (const addonName of page.addons ?? []) {
      const { addon } = await eks.send(new DescribeAddonCommand({ clusterName, addonName }));
      installed.set(addonName, addon?.addonVersion ?? 'unknown');
    }
  }
  const undone = new Set<AddonStep>();
  for (const [name, version] of installed) {
    const path = addonSteps.filter((step) => step.name === name);
    const reached = path.map((step) => step.to).lastIndexOf(version);
    if (reached >= 0) {
      for (const step of path.slice(0, reached + 1)) undone.add(step);
      continue;
    }
    if (path[0]?.from === version) continue;
    const catalog = await readAddonCatalog(eks, name, hop.from);
    if (!catalog?.versions.includes(version)) {
      throw refuse(
        `add-on ${name} ${version} does not run on Kubernetes ${hop.from}, and this hop did not move it there`,
      );
    }
  }
  return [...addonSteps]
    .reverse()
    .filter((step) => undone.has(step))
    .map((step) => ({
      name: step.name,
      from: step.to,
      to: step.from,
      clusterVersion: hop.to,
      rollback: true,
    }));
}
