import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  generateStateMachineDoc,
  stateMachineDocPath,
  stateMachineFlowchart,
} from '../../scripts/diagram.ts';

describe('state machine diagram', () => {
  it('docs/state-machine.md is what `npm run diagram` makes of statemachine/*.asl.json today', () => {
    const committed = existsSync(stateMachineDocPath) ? readFileSync(stateMachineDocPath, 'utf8') : '';
    expect(
      committed,
      `${stateMachineDocPath} is out of date with statemachine/*.asl.json: run \`npm run diagram\` and commit it`,
    ).toBe(generateStateMachineDoc());
  });

  it('draws every state, Map iterators as subgraphs, and labels choices, defaults and catches', () => {
    const chart = stateMachineFlowchart({
      StartAt: 'Check "Input"?',
      States: {
        'Check "Input"?': {
          Type: 'Choice',
          Choices: [
            {
              Or: [
                { Variable: '$.status', StringEquals: 'Successful' },
                { Variable: '$.status', StringEquals: 'Skipped' },
              ],
              Next: 'Done',
            },
            { Variable: '$.count', NumericGreaterThanEquals: 3, Next: 'Too Many' },
          ],
          Default: 'Each Item',
        },
        'Each Item': {
          Type: 'Map',
          ItemProcessor: {
            StartAt: 'Work',
            States: { Work: { Type: 'Task', Resource: 'arn', End: true } },
          },
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Too Many' }],
          Next: 'Done',
        },
        'Too Many': { Type: 'Fail', Error: 'TooMany' },
        Done: { Type: 'Succeed' },
      },
    });
    expect(chart.split('\n')).toEqual(
      expect.arrayContaining([
        'flowchart TD',
        '  check_input_q{"Check #quot;Input#quot;?"}',
        '  subgraph each_item ["Each Item (Map)"]',
        '    work["Work"]',
        '  too_many(["Too Many"])',
        '  done(["Done"])',
        '  check_input_q -->|"status = Successful or Skipped"| done',
        '  check_input_q -->|"count ≥ 3"| too_many',
        '  check_input_q -->|"otherwise"| each_item',
        '  each_item -.->|"catch States.ALL"| too_many',
        '  each_item --> done',
        '  work --> each_item_end',
        '  class too_many fail',
        '  class done succeed',
      ]),
    );
  });

  it('gives the same text for the same definition', () => {
    const definition: unknown = JSON.parse(readFileSync('statemachine/upgrade-cluster.asl.json', 'utf8'));
    expect(stateMachineFlowchart(definition)).toBe(stateMachineFlowchart(structuredClone(definition)));
  });
});
