import { ApiError } from '../simulator/index.ts';
import type { JSONValue } from './lambda-runtime.ts';

// Task tokens for `.waitForTaskToken` tasks. AWS puts a fresh token in `$$.Task.Token` for each task
// it schedules; the local engine has no such field, so each execution's context gets one whose every
// read mints a new token. The task's binding then waits for SendTaskSuccess or SendTaskFailure of the
// token it was given, as AWS's task waits (its TimeoutSeconds is the engine's, on simulated time).

interface Waiter {
  resolve: (output: JSONValue) => void;
  reject: (error: Error) => void;
  /** Simulated ms after which the task has timed out (its TimeoutSeconds); none without one. */
  deadline: number;
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

  /** Tokens whose task ended without an answer: timed out, its execution stopped, or its publish failed. */
  private readonly closed = new Set<string>();

  /** How many tasks wait for an answer now (a wait past its timeout is over, whether or not the engine saw it yet). */
  waiting(): number {
    for (const [token, waiter] of this.waitingFor) if (Date.now() >= waiter.deadline) this.closeToken(token);
    return this.waitingFor.size;
  }

  /**
   * Waits for the answer to the token the task's input carries. The engine fails the task at its
   * TimeoutSeconds; from then on the token is closed here too.
   */
  wait(input: unknown, timeoutSeconds?: number): Promise<JSONValue> {
    const token = this.tokenIn(input);
    if (!token) {
      return Promise.reject(
        Object.assign(new Error('The task input carries no $$.Task.Token'), { name: 'States.Runtime' }),
      );
    }
    const deadline =
      timeoutSeconds === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeoutSeconds * 1000;
    return new Promise((resolve, reject) => this.waitingFor.set(token, { resolve, reject, deadline }));
  }

  /** The task of the input's token ended without an answer (its publish failed). */
  close(input: unknown): void {
    const token = this.tokenIn(input, true);
    if (token) this.closeToken(token);
  }

  /** Every wait of a stopped execution ends: their tokens take no answer. */
  closeExecution(executionArn: string): void {
    for (const token of this.waitingFor.keys()) {
      if (Buffer.from(token, 'base64url').toString().startsWith(`${executionArn}#`)) this.closeToken(token);
    }
  }

  private closeToken(token: string): void {
    this.waitingFor.delete(token);
    this.closed.add(token);
  }

  /**
   * SendTaskSuccess and SendTaskFailure.
   * @throws ApiError InvalidToken for a token never given out; TaskTimedOut for one whose task timed
   * out or was closed (SendTaskSuccess API reference); TaskDoesNotExist for one already answered.
   */
  answer(token: string, result: { output: string } | { error: string; cause: string }): void {
    if (!this.minted.has(token))
      throw new ApiError('InvalidToken', 400, `Invalid Token: '${token.slice(0, 40)}'`);
    const waiter = this.waitingFor.get(token);
    if (waiter && Date.now() >= waiter.deadline) this.closeToken(token);
    if (this.closed.has(token))
      throw new ApiError(
        'TaskTimedOut',
        400,
        'The task token has either expired or the task associated with the token has already been closed.',
      );
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

  /** The minted token in a task's input: one not yet waited for, or (`waited`) the one it waits for. */
  private tokenIn(value: unknown, waited = false): string | undefined {
    if (typeof value === 'string')
      return this.minted.has(value) && this.waitingFor.has(value) === waited ? value : undefined;
    if (typeof value !== 'object' || value === null) return undefined;
    for (const child of Object.values(value)) {
      const found = this.tokenIn(child, waited);
      if (found) return found;
    }
    return undefined;
  }
}
