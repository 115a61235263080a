// `npm run diagram`: docs/state-machine.md, a Mermaid flowchart of every statemachine/*.asl.json.
// Generated, never edited by hand: tests/report/diagram.test.ts fails when it is out of date.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const stateMachineDir = 'statemachine';
export const stateMachineDocPath = 'docs/state-machine.md';

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function records(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Mermaid reads `"`, `<`, `>` and `#` in a quoted label as markup; its entity codes keep them text. */
function label(value: string): string {
  return `"${value.replace(/#/g, '#35;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;')}"`;
}

const comparators: Record<string, string> = {
  Equals: '=',
  LessThan: '<',
  GreaterThan: '>',
  LessThanEquals: '≤',
  GreaterThanEquals: '≥',
  Matches: 'matches',
};

/** A Choice rule in words: `update.status = InProgress`, `notify is present and ...`. */
export function describeRule(rule: Json): string {
  if (Array.isArray(rule.And)) return records(rule.And).map(describeRule).join(' and ');
  if (Array.isArray(rule.Or)) {
    const rules = records(rule.Or).map(describeRule);
    // `status = Successful or status = Skipped` reads better as `status = Successful or Skipped`.
    const [first, ...rest] = rules.map((described) => /^(\S+ = )(.*)$/.exec(described));
    const prefix = first?.[1];
    if (prefix && rest.every((match) => match?.[1] === prefix)) {
      return `${prefix}${[first, ...rest].map((match) => match?.[2]).join(' or ')}`;
    }
    return rules.join(' or ');
  }
  if (isRecord(rule.Not)) return `not (${describeRule(rule.Not)})`;
  const condition = text(rule.Condition);
  if (condition) return condition;
  const variable = (text(rule.Variable) ?? '$').replace(/^\$\.?/, '') || '$';
  const test = Object.keys(rule).find((key) => key !== 'Variable' && key !== 'Next' && key !== 'Comment');
  if (!test) return variable;
  const value = rule[test];
  const type = /^Is(Null|Present|String|Numeric|Boolean|Timestamp)$/.exec(test)?.[1];
  if (type) {
    const what = type === 'Present' ? 'present' : type === 'Null' ? 'null' : `a ${type.toLowerCase()}`;
    return value === false ? `${variable} is not ${what}` : `${variable} is ${what}`;
  }
  const path = test.endsWith('Path');
  const operator =
    /^(?:String|Numeric|Boolean|Timestamp)(Equals|LessThan|GreaterThan|LessThanEquals|GreaterThanEquals|Matches)(?:Path)?$/.exec(
      test,
    )?.[1];
  const shown =
    typeof value === 'string' ? (path ? value.replace(/^\$\.?/, '') : value) : JSON.stringify(value);
  return `${variable} ${operator ? comparators[operator] : test} ${shown}`;
}

/** Builds one flowchart: ids are unique slugs of the state names, in the definition's own order. */
class Flowchart {
  private readonly lines: string[] = [];
  private readonly edges: string[] = [];
  private readonly classes = new Map<string, string[]>();
  private readonly ids = new Set<string>();

  private id(name: string): string {
    const slug =
      name
        .replace(/\?/g, ' q')
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '_')
        .replace(/^_+|_+$/g, '') || 'state';
    // Mermaid keywords (end, graph, ...) and leading digits cannot be node ids.
    const base =
      /^(end|graph|flowchart|subgraph|style|class|classdef|click|default|direction|linkstyle|\d)/.test(slug)
        ? `s_${slug}`
        : slug;
    let id = base;
    for (let n = 2; this.ids.has(id); n += 1) id = `${base}_${n}`;
    this.ids.add(id);
    return id;
  }

  private classify(id: string, className: string): void {
    this.classes.set(className, [...(this.classes.get(className) ?? []), id]);
  }

  /** Adds a scope's states (the machine, a Map's iterator, a Parallel branch); returns its entry node. */
  scope(machine: Json, indent: string, scopeName: string): string {
    const states = isRecord(machine.States) ? machine.States : {};
    const ids = new Map(Object.keys(states).map((name) => [name, this.id(name)]));
    const start = this.id(`${scopeName} start`);
    this.lines.push(`${indent}${start}((${label('start')}))`);
    this.classify(start, 'terminal');
    const startAt = text(machine.StartAt);
    const first = startAt ? ids.get(startAt) : undefined;
    if (first) this.edges.push(`${start} --> ${first}`);
    let end: string | undefined;
    const target = (next: unknown) => {
      const name = text(next);
      return name ? (ids.get(name) ?? this.missing(name, indent)) : undefined;
    };
    const edge = (from: string, next: unknown, text?: string, dotted = false) => {
      const to = target(next);
      if (!to) return;
      const arrow = dotted ? '-.->' : '-->';
      this.edges.push(text ? `${from} ${arrow}|${label(text)}| ${to}` : `${from} ${arrow} ${to}`);
    };

    for (const [name, state] of Object.entries(states)) {
      if (!isRecord(state)) continue;
      const id = ids.get(name) ?? this.id(name);
      const type = text(state.Type) ?? 'Task';
      const processor = isRecord(state.ItemProcessor) ? state.ItemProcessor : state.Iterator;
      if (type === 'Map' && isRecord(processor)) {
        this.lines.push(`${indent}subgraph ${id} [${label(`${name} (Map)`)}]`);
        this.scope(processor, `${indent}  `, name);
        this.lines.push(`${indent}end`);
      } else if (type === 'Parallel') {
        this.lines.push(`${indent}subgraph ${id} [${label(`${name} (Parallel)`)}]`);
        records(state.Branches).forEach((branch, index) => {
          const branchId = this.id(`${name} branch ${index + 1}`);
          this.lines.push(`${indent}  subgraph ${branchId} [${label(`branch ${index + 1}`)}]`);
          this.scope(branch, `${indent}    `, `${name} branch ${index + 1}`);
          this.lines.push(`${indent}  end`);
        });
        this.lines.push(`${indent}end`);
      } else {
        this.lines.push(`${indent}${id}${shape(type, name)}`);
        const className = { Choice: 'choice', Succeed: 'succeed', Fail: 'fail', Wait: 'wait' }[type];
        if (className) this.classify(id, className);
      }

      for (const choice of records(state.Choices)) edge(id, choice.Next, describeRule(choice));
      if (state.Default !== undefined) edge(id, state.Default, 'otherwise');
      if (state.Next !== undefined) edge(id, state.Next);
      for (const handler of records(state.Catch)) {
        const errors = Array.isArray(handler.ErrorEquals)
          ? handler.ErrorEquals.map(String).join(', ')
          : 'error';
        edge(id, handler.Next, `catch ${errors}`, true);
      }
      if (state.End === true) {
        if (!end) {
          end = this.id(`${scopeName} end`);
          this.lines.push(`${indent}${end}((${label('end')}))`);
          this.classify(end, 'terminal');
        }
        this.edges.push(`${id} --> ${end}`);
      }
    }
    return start;
  }

  /** A Next that names no state: drawn, so the diagram shows the broken link instead of hiding it. */
  private missing(name: string, indent: string): string {
    const id = this.id(`missing ${name}`);
    this.lines.push(`${indent}${id}[${label(`missing state: ${name}`)}]`);
    this.classify(id, 'fail');
    return id;
  }

  render(): string {
    const classDefs = [
      'classDef choice fill:#fff8c5,stroke:#9a6700,color:#1f2328',
      'classDef wait fill:#ddf4ff,stroke:#0969da,color:#1f2328',
      'classDef succeed fill:#dafbe1,stroke:#1a7f37,color:#1f2328',
      'classDef fail fill:#ffebe9,stroke:#cf222e,color:#1f2328',
      'classDef terminal fill:#1f2328,stroke:#1f2328,color:#ffffff',
    ];
    const classLines = [...this.classes.entries()].map(([name, ids]) => `class ${ids.join(',')} ${name}`);
    return [
      'flowchart TD',
      ...[...this.lines, ...this.edges, ...classDefs, ...classLines].map((line) => `  ${line}`),
    ].join('\n');
  }
}

function shape(type: string, name: string): string {
  const text = label(name);
  switch (type) {
    case 'Choice':
      return `{${text}}`;
    case 'Wait':
      return `{{${text}}}`;
    case 'Pass':
      return `[/${text}/]`;
    case 'Succeed':
    case 'Fail':
      return `([${text}])`;
    default:
      return `[${text}]`;
  }
}

/** The Mermaid flowchart of one state machine definition: states, labelled transitions, Map subgraphs. */
export function stateMachineFlowchart(definition: unknown): string {
  const chart = new Flowchart();
  chart.scope(isRecord(definition) ? definition : {}, '', 'execution');
  return chart.render();
}

/** The whole document for the given definitions, in the order given. */
export function renderStateMachineDoc(
  machines: ReadonlyArray<{ file: string; definition: unknown }>,
): string {
  const sections = machines.map(({ file, definition }) => {
    const name = file.replace(/^.*\//, '').replace(/\.asl\.json$/, '');
    const comment = isRecord(definition) ? text(definition.Comment) : undefined;
    return [
      `## ${name}`,
      '',
      `From \`${file}\`.${comment ? ` ${comment}` : ''}`,
      '',
      '```mermaid',
      stateMachineFlowchart(definition),
      '```',
    ].join('\n');
  });
  return [
    '# State machines',
    '',
    '<!-- Generated by `npm run diagram` from statemachine/*.asl.json. Do not edit: tests/report/diagram.test.ts checks it is current. -->',
    '',
    'Rectangles are Task states, diamonds Choice states, hexagons Wait states, rounded ends Succeed (green) and',
    'Fail (red) states; a Map state is a box around the states each item runs through. Solid arrows are `Next`',
    'and Choice rules (labelled with the rule; "otherwise" is the `Default`), dotted arrows are `Catch` handlers.',
    '',
    ...sections.flatMap((section) => [section, '']),
  ].join('\n');
}

/** Reads every `*.asl.json` of `dir` (sorted by name) and renders the document. */
export function generateStateMachineDoc(dir = stateMachineDir): string {
  const files = readdirSync(dir)
    .filter((file) => file.endsWith('.asl.json'))
    .sort();
  return renderStateMachineDoc(
    files.map((file) => {
      const path = join(dir, file);
      const definition: unknown = JSON.parse(readFileSync(path, 'utf8'));
      return { file: path.split('\\').join('/'), definition };
    }),
  );
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) {
  mkdirSync(dirname(stateMachineDocPath), { recursive: true });
  writeFileSync(stateMachineDocPath, generateStateMachineDoc());
  console.log(`Wrote ${stateMachineDocPath}.`);
}
