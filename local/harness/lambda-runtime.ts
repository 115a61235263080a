import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readTemplate, templateFunctions } from '../../scripts/template.ts';
import { actAs } from './role-credentials.ts';

/** JSON in, JSON out: what a Lambda function exchanges with its caller. */
export type JSONValue = null | boolean | number | string | JSONValue[] | { [key: string]: JSONValue };

type LambdaHandler = (event: unknown, context: unknown) => Promise<unknown>;

/** A Lambda error as its caller sees it: the name is the errorType, the message the JSON of the error. */
export class LambdaFunctionError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

/**
 * The functions of template.yaml, run in this process as Lambda would run them: each function's
 * real handler module, loaded once per "deployment" (its SDK clients are built against the
 * endpoint of that moment), payloads JSON-serialized both ways, errors reported by type.
 */
export class LambdaRuntime {
  private readonly entryPoints = new Map(
    templateFunctions(readTemplate()).map((fn) => [fn.logicalId, fn.entryPoint]),
  );
  private readonly modules = new Map<string, Promise<{ handler: LambdaHandler }>>();
  private invocations = 0;
  private importing = 0;

  /** `deployment` names the module instances; a new one is a cold start of every function. */
  constructor(private readonly deployment: string) {}

  /** Handler modules being imported now: file I/O the virtual clock must wait for. */
  loading(): number {
    return this.importing;
  }

  has(functionId: string): boolean {
    return this.entryPoints.has(functionId);
  }

  /** Loads a function's handler ahead of its first invocation (as a cold start would). */
  async load(functionId: string): Promise<void> {
    await this.module(functionId);
  }

  async invoke(functionId: string, event: unknown): Promise<JSONValue> {
    const module = await this.module(functionId);
    this.invocations += 1;
    try {
      // Its AWS calls carry its own execution role's credentials.
      const output = await actAs(functionId, () =>
        module.handler(
          JSON.parse(JSON.stringify(event ?? null)),
          lambdaContext(functionId, this.invocations),
        ),
      );
      return JSON.parse(JSON.stringify(output ?? null)) as JSONValue;
    } catch (error) {
      const { name, message } = error instanceof Error ? error : new Error(String(error));
      throw new LambdaFunctionError(name, JSON.stringify({ errorType: name, errorMessage: message }));
    }
  }

  private module(functionId: string): Promise<{ handler: LambdaHandler }> {
    const entryPoint = this.entryPoints.get(functionId);
    if (!entryPoint) throw new Error(`template.yaml defines no function ${functionId}.`);
    let loading = this.modules.get(functionId);
    if (!loading) {
      const url = `${pathToFileURL(resolve(entryPoint)).href}?deployment=${encodeURIComponent(this.deployment)}`;
      this.importing += 1;
      loading = (import(url) as Promise<{ handler: LambdaHandler }>).finally(() => {
        this.importing -= 1;
      });
      this.modules.set(functionId, loading);
    }
    return loading;
  }
}

function lambdaContext(functionName: string, requestNumber: number) {
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: `local-${requestNumber}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
