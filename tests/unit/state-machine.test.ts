import { existsSync, readdirSync, readFileSync } from 'node:fs';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { workflowErrorNames } from '../../functions/shared/errors.ts';
import { readTemplate, templateFunctions } from '../../scripts/template.ts';
import { allStates, readDefinitionText } from './definitions.ts';

const template = readTemplate();
const stateMachines = Object.entries(template.Resources)
  .filter(([, resource]) => resource.Type === 'AWS::Serverless::StateMachine')
  .map(([logicalId, resource]) => {
    const properties = resource.Properties ?? {};
    const definitionText = readDefinitionText(String(properties.DefinitionUri));
    return {
      logicalId,
      substitutions: properties.DefinitionSubstitutions as Record<string, unknown>,
      definitionText,
      states: allStates(JSON.parse(definitionText)),
    };
  });

/** What a deployment puts in place of each `${...}`: a Lambda, topic or state machine ARN. */
function fillSubstitutions(text: string): string {
  return text.replace(/\$\{(\w+)\}/g, (_, name: string) => {
    if (name.endsWith('TopicArn')) return `arn:aws:sns:us-east-1:123456789012:${name}`;
    if (name.endsWith('StateMachineArn')) return `arn:aws:states:us-east-1:123456789012:stateMachine:${name}`;
    return `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
  });
}

/** Error names that AWS itself raises: Step Functions, the Lambda service, and the SDK clients' exceptions. */
const awsErrorNames = new Set([
  'States.ALL',
  'States.TaskFailed',
  'States.Timeout',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.Unknown',
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'ServiceUnavailableException',
  'ServerException',
  'InternalFailure',
  'StepFunctions.SdkClientException',
  'StepFunctions.AWSStepFunctionsException',
  'StepFunctions.ExecutionAlreadyExistsException',
]);

describe.each(stateMachines)('state machine $logicalId', ({ substitutions, definitionText, states }) => {
  it('is valid Amazon States Language once its substitutions are filled in', () => {
    const result = aslValidator(JSON.parse(fillSubstitutions(definitionText)));
    expect(result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('uses exactly the substitutions the template defines', () => {
    const used = new Set([...definitionText.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1]));
    expect([...used].sort()).toEqual(Object.keys(substitutions).sort());
  });

  it('binds each function substitution to a function of the template', () => {
    const functionIds = templateFunctions(template).map((fn) => fn.logicalId);
    for (const [name, value] of Object.entries(substitutions)) {
      if (!name.endsWith('FunctionArn')) continue;
      expect(value).toEqual({ 'Fn::GetAtt': [name.replace(/Arn$/, ''), 'Arn'] });
      expect(functionIds).toContain(name.replace(/Arn$/, ''));
    }
  });

  it('names every state uniquely (the local engine binds tasks by name)', () => {
    const names = states.map(([name]) => name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('matches only error names that exist: a workflow error class or an AWS error', () => {
    const known = new Set<string>([...workflowErrorNames, ...awsErrorNames]);
    for (const [name, state] of states) {
      const rules = [...((state.Retry as unknown[]) ?? []), ...((state.Catch as unknown[]) ?? [])] as Array<{
        ErrorEquals: string[];
      }>;
      for (const rule of rules) {
        for (const error of rule.ErrorEquals) expect(known.has(error), `${name} matches ${error}`).toBe(true);
      }
    }
  });

  it('retries the busy-cluster error, a step out of time, and no business error', () => {
    const retriedOnPurpose = [
      'UpdateInProgressError',
      'InsightsRefreshPendingError',
      'ClusterBusyError',
      'StepTimedOutError',
    ];
    const business = workflowErrorNames.filter((name) => !retriedOnPurpose.includes(name));
    for (const [, state] of states) {
      const retried = ((state.Retry as Array<{ ErrorEquals: string[] }>) ?? []).flatMap(
        (rule) => rule.ErrorEquals,
      );
      if (state.Type === 'Task' && String(state.Resource).includes('FunctionArn')) {
        expect(retried).toContain('Lambda.TooManyRequestsException');
        expect(retried).toContain('StepTimedOutError');
      }
      // Only the steps that start updates can find the resource busy (functions/shared/eks-updates.ts).
      const startsUpdates = /^\$\{Update(ControlPlane|Addon|Nodegroup)FunctionArn\}$/.test(
        String(state.Resource),
      );
      if (startsUpdates) expect(retried).toContain('UpdateInProgressError');
      else expect(retried).not.toContain('UpdateInProgressError');
      // Only the control-plane step waits for the insights refresh before its gate.
      // (A rollback sends the control plane back without a gate.)
      const gatesHops =
        String(state.Resource).includes('UpdateControlPlaneFunctionArn') &&
        !('rollback' in ((state.Parameters as object | undefined) ?? {}));
      expect(retried.includes('InsightsRefreshPendingError'), String(state.Resource)).toBe(gatesHops);
      // Only the plan keeps to one upgrade per cluster: it waits its turn there.
      const plans = String(state.Resource).includes('PlanUpgradeFunctionArn');
      expect(retried.includes('ClusterBusyError'), String(state.Resource)).toBe(plans);
      for (const name of business) expect(retried).not.toContain(name);
      expect(retried).not.toContain('States.ALL');
    }
  });

  it('gives every Lambda task longer than its function may run, so a slow invocation is never run twice', () => {
    const globalTimeout = Number(template.Globals?.Function?.Timeout);
    for (const [name, state] of states) {
      const functionId = /^\$\{(\w+Function)Arn\}$/.exec(String(state.Resource))?.[1];
      if (state.Type !== 'Task' || !functionId) continue;
      const own = template.Resources[functionId]?.Properties?.Timeout;
      const functionTimeout = own === undefined ? globalTimeout : Number(own);
      expect(functionTimeout, functionId).toBeGreaterThan(0);
      expect(Number(state.TimeoutSeconds), name).toBeGreaterThan(functionTimeout);
    }
  });
});

it('has a definition file for every state machine the template declares, and the reverse', () => {
  const files = readdirSync('statemachine').filter((file) => file.endsWith('.asl.json'));
  const declared = stateMachines.map(({ logicalId }) =>
    String(template.Resources[logicalId]?.Properties?.DefinitionUri).replace('statemachine/', ''),
  );
  expect(declared.sort()).toEqual(files.sort());
});

describe('errors.ts', () => {
  it('lists exactly the error classes it declares', () => {
    const source = readFileSync('functions/shared/errors.ts', 'utf8');
    const declared = [...source.matchAll(/override readonly name = '(\w+)'/g)].map((match) => match[1]);
    expect(declared).toEqual([...workflowErrorNames]);
  });
});

describe('template.yaml', () => {
  const functions = templateFunctions(template);

  it('has a handler file for every function, and a function for every handler folder', () => {
    for (const fn of functions) expect(existsSync(fn.entryPoint), fn.entryPoint).toBe(true);
    const folders = readdirSync('functions', { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(`functions/${entry.name}/handler.ts`))
      .map((entry) => `functions/${entry.name}/handler.ts`);
    expect(folders.sort()).toEqual(functions.map((fn) => fn.entryPoint).sort());
  });

  it('runs every function on Node.js 22, arm64, bundled by esbuild', () => {
    expect(template.Globals?.Function).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'] });
    for (const fn of functions) {
      expect(template.Resources[fn.logicalId]?.Metadata).toMatchObject({ BuildMethod: 'esbuild' });
      expect(fn.buildProperties).toMatchObject({ Format: 'esm', Minify: true, Sourcemap: true });
    }
  });
});
