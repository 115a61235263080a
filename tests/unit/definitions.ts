import { readFileSync } from 'node:fs';

/** The ASL file as written, with `${...}` placeholders. */
export function readDefinitionText(file = 'statemachine/upgrade-cluster.asl.json'): string {
  return readFileSync(file, 'utf8');
}

/** Every state of a definition, nested Map and Parallel states included. */
export function allStates(definition: unknown): Array<[string, Record<string, unknown>]> {
  const found: Array<[string, Record<string, unknown>]> = [];
  const visit = (machine: unknown) => {
    if (typeof machine !== 'object' || machine === null || !('States' in machine)) return;
    for (const [name, state] of Object.entries(machine.States as Record<string, Record<string, unknown>>)) {
      found.push([name, state]);
      visit(state.ItemProcessor ?? state.Iterator);
      for (const branch of (state.Branches as unknown[] | undefined) ?? []) visit(branch);
    }
  };
  visit(definition);
  return found;
}
