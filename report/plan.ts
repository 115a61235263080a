// The upgrade plan (the Plan Upgrade task's output) as tables. Fields this file knows get a place of
// their own; anything else is still shown, as a generic table or as JSON, so a richer plan never hides.
import { formatDuration } from '../format/run-text.ts';
import { html, type SafeHtml } from './html.ts';
import { humanizeKey, isRecord, type JsonRecord, numberField, stringField } from './values.ts';

/** Fields placed by name; every other field lands in "Options" (scalars) or "Other plan fields". */
const placedFields = new Set([
  'summary',
  'notes',
  'stages',
  'controlPlane',
  'nodegroups',
  'addons',
  'selfManagedAddons',
  'insights',
  'expected',
]);

/** Renders the plan defensively: known fields nicely, unknown ones generically, nothing dropped. */
export function renderPlan(plan: unknown): SafeHtml {
  if (plan === undefined || plan === null) {
    return html`<p class="muted" data-testid="plan-missing">No plan was recorded: the plan step did not return one.</p>`;
  }
  if (!isRecord(plan)) return html`<div data-testid="plan-table">${renderValue(plan)}</div>`;

  const unplaced = Object.entries(plan).filter(([key]) => !placedFields.has(key));
  const options = unplaced.filter(([, value]) => isScalar(value));
  const others = unplaced.filter(([, value]) => !isScalar(value));
  const notes = Array.isArray(plan.notes) ? plan.notes : [];
  const staged = Array.isArray(plan.stages);
  // With stages, the top-level lists describe the cluster as it is now; without, they are the plan.
  const expected: Array<[string, unknown]> = isRecord(plan.expected)
    ? Object.entries(plan.expected).map(([key, value]): [string, unknown] => [
        `Expected ${humanizeKey(key).toLowerCase()} after the upgrade`,
        value,
      ])
    : [['Expected after the upgrade', plan.expected]];
  const facts: Array<[string, unknown]> = [
    ['Node groups now', staged ? plan.nodegroups : undefined],
    [staged ? 'Managed add-ons now' : 'Managed add-ons', plan.addons],
    ['Self-managed add-ons', plan.selfManagedAddons],
    ...expected,
  ];
  const shownFacts = facts.filter(([, value]) => value !== undefined);

  return html`${typeof plan.summary === 'string' ? html`<p class="plan-summary">${plan.summary}</p>` : ''}
    ${notes.length > 0 ? html`<ul class="notes">${notes.map((note) => html`<li>${renderValue(note, 1)}</li>`)}</ul>` : ''}
    ${planTable(plan)}
    ${plan.insights === undefined ? '' : html`<h3>Upgrade insights</h3>${renderValue(plan.insights)}`}
    ${
      shownFacts.length > 0
        ? html`<div class="plan-facts">${shownFacts.map(
            ([title, value]) => html`<div><h3>${title}</h3>${renderValue(value)}</div>`,
          )}</div>`
        : ''
    }
    ${
      options.length > 0
        ? html`<h3>Options</h3><dl class="options">${options.map(([key, value]) =>
            key.endsWith('Seconds') && typeof value === 'number'
              ? html`<div><dt>${humanizeKey(key.replace(/Seconds$/, ''))}</dt><dd>${formatDuration(value)}</dd></div>`
              : html`<div><dt>${humanizeKey(key)}</dt><dd>${renderValue(value)}</dd></div>`,
          )}</dl>`
        : ''
    }
    ${
      others.length > 0
        ? html`<details class="other-fields"><summary>Other plan fields (${others.map(([key]) => key).join(', ')})</summary>
      <pre>${JSON.stringify(Object.fromEntries(others), null, 2)}</pre></details>`
        : ''
    }`;
}

interface PlanRow {
  component: SafeHtml;
  from: SafeHtml;
  to: SafeHtml;
  details: SafeHtml;
  kind: string;
}

/** What moves from where to where: by stage when the plan has stages, else control plane and node groups. */
function planTable(plan: JsonRecord): SafeHtml {
  const groups: Array<{ title?: string; rows: PlanRow[] }> = Array.isArray(plan.stages)
    ? stageGroups(plan, plan.stages)
    : [{ rows: flatRows(plan) }];
  if (groups.every((group) => group.rows.length === 0)) {
    return html`<p class="muted" data-testid="plan-table">The plan moves nothing: every component is on its target.</p>`;
  }
  return html`<table data-testid="plan-table" class="plan">
    <caption>Upgrade plan</caption>
    <thead><tr><th scope="col">Component</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Details</th></tr></thead>
    ${groups.map(
      (group) => html`<tbody>
      ${group.title !== undefined ? html`<tr class="stage-row"><th colspan="4" scope="rowgroup">${group.title}</th></tr>` : ''}
      ${group.rows.map(
        (row) =>
          html`<tr data-kind="${row.kind}"><th scope="row">${row.component}</th><td class="version">${row.from}</td><td class="version">${row.to}</td><td>${row.details}</td></tr>`,
      )}
    </tbody>`,
    )}
  </table>`;
}

/** The plan without stages: `controlPlane {from, to, moves}` and `nodegroups[]` with their current state. */
function flatRows(plan: JsonRecord): PlanRow[] {
  const rows: PlanRow[] = [];
  const target = plan.targetVersion;
  if (isRecord(plan.controlPlane)) {
    const { from, to, moves, ...rest } = plan.controlPlane;
    rows.push({
      component: html`Control plane`,
      from: renderValue(from),
      to: moves === false ? unchanged() : renderValue(to),
      details: detailList([], rest),
      kind: 'controlPlane',
    });
  }
  for (const nodegroup of Array.isArray(plan.nodegroups) ? plan.nodegroups : []) {
    if (!isRecord(nodegroup)) continue;
    const {
      name,
      currentVersion,
      releaseVersion,
      targetVersion,
      moves,
      desiredSize,
      maxUnavailable,
      ...rest
    } = nodegroup;
    rows.push({
      component: html`Node group <strong>${renderValue(name)}</strong>`,
      from: versionWithRelease(currentVersion, releaseVersion),
      to: moves === false ? unchanged() : renderValue(targetVersion ?? target),
      details: detailList([rollingText(desiredSize, maxUnavailable)], rest),
      kind: 'nodegroup',
    });
  }
  return rows;
}

/** One group of rows per stage; a node group's "from" is where the stage before left it. */
function stageGroups(plan: JsonRecord, stages: unknown[]): Array<{ title: string; rows: PlanRow[] }> {
  const nodegroupsNow = new Map<
    string,
    { version: unknown; release: unknown; desiredSize?: unknown; maxUnavailable?: unknown }
  >();
  for (const nodegroup of Array.isArray(plan.nodegroups) ? plan.nodegroups : []) {
    const name = stringField(nodegroup, 'name');
    if (name && isRecord(nodegroup)) {
      const { currentVersion: version, releaseVersion: release, desiredSize, maxUnavailable } = nodegroup;
      nodegroupsNow.set(name, { version, release, desiredSize, maxUnavailable });
    }
  }
  return stages.map((stage, position) => {
    const index = numberField(stage, 'index') ?? position + 1;
    if (!isRecord(stage)) return { title: `Stage ${index}`, rows: [otherRow('Stage', stage)] };
    const { index: _index, controlPlane, addons, rolls, ...rest } = stage;
    const rows: PlanRow[] = [];
    if (isRecord(controlPlane)) {
      const { from, to, ...more } = controlPlane;
      rows.push({
        component: html`Control plane`,
        from: renderValue(from),
        to: html`<strong>${renderValue(to)}</strong>`,
        details: detailList([], more),
        kind: 'controlPlane',
      });
    }
    for (const addon of Array.isArray(addons) ? addons : []) {
      if (!isRecord(addon)) {
        rows.push(otherRow('Add-on', addon));
        continue;
      }
      const { name, from, to, ...more } = addon;
      rows.push({
        component: html`Add-on <strong>${renderValue(name)}</strong>`,
        from: html`<span class="mono">${renderValue(from)}</span>`,
        to: html`<span class="mono">${renderValue(to)}</span>`,
        details: detailList([], more),
        kind: 'addon',
      });
    }
    for (const roll of Array.isArray(rolls) ? rolls : []) {
      if (!isRecord(roll) || !Array.isArray(roll.nodegroups)) {
        rows.push(otherRow('Node groups', roll));
        continue;
      }
      const { nodegroups, toVersion, releaseVersion, reason, launchTemplate, ...more } = roll;
      for (const name of nodegroups) {
        const before = typeof name === 'string' ? nodegroupsNow.get(name) : undefined;
        if (typeof name === 'string')
          nodegroupsNow.set(name, { ...before, version: toVersion, release: releaseVersion });
        rows.push({
          component: html`Node group <strong>${renderValue(name)}</strong>`,
          from: before
            ? versionWithRelease(before.version, before.release)
            : html`<span class="muted">–</span>`,
          to:
            toVersion === null && isRecord(launchTemplate)
              ? html`launch template version <span class="mono">${renderValue(launchTemplate.version)}</span>`
              : versionWithRelease(toVersion, releaseVersion),
          details: detailList(
            [
              rollingText(before?.desiredSize, before?.maxUnavailable),
              typeof reason === 'string' ? `reason: ${reason}` : '',
            ],
            more,
          ),
          kind: 'nodegroup',
        });
      }
    }
    rows.push(...Object.entries(rest).map(([key, value]) => otherRow(humanizeKey(key), value)));
    const target = isRecord(controlPlane) ? stringField(controlPlane, 'to') : undefined;
    return { title: `Stage ${index}${target ? ` · to ${target}` : ''}`, rows };
  });
}

function otherRow(component: string, value: unknown): PlanRow {
  const none = html`<span class="muted">–</span>`;
  return {
    component: html`${component}`,
    from: none,
    to: none,
    details: renderValue(value, 1),
    kind: 'other',
  };
}

function versionWithRelease(version: unknown, release: unknown): SafeHtml {
  return html`${renderValue(version)}${typeof release === 'string' ? html` <span class="muted mono">(${release})</span>` : ''}`;
}

function unchanged(): SafeHtml {
  return html`<span class="pill stays">no change</span>`;
}

function rollingText(desiredSize: unknown, maxUnavailable: unknown): string {
  if (typeof desiredSize !== 'number') return '';
  const atATime = typeof maxUnavailable === 'number' ? `, ${maxUnavailable} at a time` : '';
  return `${desiredSize} node${desiredSize === 1 ? '' : 's'} replaced${atATime}`;
}

/** Known details as text, then any field this file does not know, as "Key: value". */
function detailList(known: readonly string[], rest: JsonRecord): SafeHtml {
  const parts = [
    ...known.filter(Boolean).map((text) => html`${text}`),
    ...Object.entries(rest).map(([key, value]) => html`${humanizeKey(key)}: ${renderValue(value, 2)}`),
  ];
  return html`${parts.map((part, index) => html`${index > 0 ? '; ' : ''}${part}`)}`;
}

function isScalar(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

/**
 * Any JSON value as markup: scalars as text, a list of objects as a table, an object as key/value
 * rows; past two levels deep, JSON.
 */
export function renderValue(value: unknown, depth = 0): SafeHtml {
  if (value === null || value === undefined) return html`<span class="muted">–</span>`;
  if (typeof value === 'boolean') return html`${value ? 'yes' : 'no'}`;
  if (typeof value === 'string' || typeof value === 'number') return html`${String(value)}`;
  if (depth >= 2) return html`<code>${JSON.stringify(value)}</code>`;
  if (Array.isArray(value)) {
    if (value.length === 0) return html`<span class="muted">none</span>`;
    if (value.every(isScalar)) return html`${value.map((item) => String(item)).join(', ')}`;
    if (value.every(isRecord)) {
      const keys = [...new Set(value.flatMap((item) => Object.keys(item)))];
      return html`<table class="generic"><thead><tr>${keys.map((key) => html`<th scope="col">${humanizeKey(key)}</th>`)}</tr></thead>
        <tbody>${value.map((item) => html`<tr>${keys.map((key) => html`<td>${renderValue(item[key], depth + 1)}</td>`)}</tr>`)}</tbody></table>`;
    }
    return html`<ul class="generic">${value.map((item) => html`<li>${renderValue(item, depth + 1)}</li>`)}</ul>`;
  }
  if (isRecord(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return html`<span class="muted">none</span>`;
    // Inside a table cell, an object reads best as one line of "key: value".
    if (depth >= 1) {
      return html`<span class="inline-record">${entries.map(
        ([key, item], index) =>
          html`${index > 0 ? '; ' : ''}${humanizeKey(key)}: ${renderValue(item, depth + 1)}`,
      )}</span>`;
    }
    return html`<table class="generic kv"><tbody>${entries.map(
      ([key, item]) =>
        html`<tr><th scope="row">${humanizeKey(key)}</th><td>${renderValue(item, depth + 1)}</td></tr>`,
    )}</tbody></table>`;
  }
  return html`<code>${JSON.stringify(value) ?? String(value)}</code>`;
}
