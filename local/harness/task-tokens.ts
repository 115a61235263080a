import { ApiError } from '../simulator/index.ts';
import type { JSONValue } from './lambda-runtime.ts';

// Task tokens for `.waitForTaskToken` tasks. AWS puts a fresh token in `$$.Task.Token` for each task
// it schedules; the local engine has no such field, so each execution's context gets one whose every
// read mints a new token. The task's binding then waits for SendTaskSuccess or SendTaskFailure of the
// token it was given, as AWS's task waits (its TimeoutSeconds is the engine's, on simulated time).

interface Waiter {
  resolve: (output: JSONValue) => void;
  reject: (error: Error) => void;
}

export class TaskTokens {
  private count = 0;
  private readonly minted = new Set<string>();
  private readonly waitingFor = new Map<string, Waiter>();

  /** The `Task` field of an execution's context object: `$$.Task.Token` mints a token at each read. */
  contextFor(executionArn: string): { readonly Token: string } {
    const mint = () => {
      this.count += 1;
      const token = Buffer.from(`${executionArn}#${this.count}`).toString('base64url');
      this.minted.add(token);
      return token;
    };
    return {
      get Token() {
        return mint();
      },
    };
  }

  /** How many tasks wait for an answer now. */
  waiting(): number {
    return this.waitingFor.size;
  }

  /** Waits for the answer to the token the task's input carries. */
  wait(input: unknown): Promise<JSONValue> {
    const token = this.tokenIn(input);
    if (!token) {
      return Promise.reject(
        Object.assign(new Error('The task input carries no $$.Task.Token'), { name: 'States.Runtime' }),
      );
    }
    return new Promise((resolve, reject) => this.waitingFor.set(token, { resolve, reject }));
  }

  /**
   * SendTaskSuccess and SendTaskFailure.
   * @throws ApiError InvalidToken for a token never given out; TaskDoesNotExist for one already answered.
   */
  answer(token: string, result: { output: string } | { error: string; cause: string }): void {
    if (!this.minted.has(token))
      throw new ApiError('InvalidToken', 400, `Invalid Token: '${token.slice(0, 40)}'`);
    const waiter = this.waitingFor.get(token);
    if (!waiter) throw new ApiError('TaskDoesNotExist', 400, 'Task Timed Out or does not exist');
    this.waitingFor.delete(token);
    if ('output' in result) {
      let output: JSONValue;
      try {
        output = JSON.parse(result.output) as JSONValue;
      } catch {
        this.waitingFor.set(token, waiter);
        throw new ApiError('InvalidOutput', 400, 'Invalid JSON in output');
      }
      waiter.resolve(output);
    } else {
      waiter.reject(Object.assign(new Error(result.cause), { name: result.error }));
    }
  }

  private tokenIn(value: unknown): string | undefined {
    if (typeof value === 'string')
      return this.minted.has(value) && !this.waitingFor.has(value) ? value : undefined;
    if (typeof value !== 'object' || value === null) return undefined;
    for (const child of Object.values(value)) {
      const found = this.tokenIn(child);
      if (found) return found;
    }
    return undefined;
  }
}
