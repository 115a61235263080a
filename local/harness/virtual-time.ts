import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { type Clock, withGlobal } from '@sinonjs/fake-timers';

// One fake-timer context per process: timer ids keep counting across runs, so a clearTimeout left
// over from an earlier run can never cancel a later run's timer that happens to reuse its id.
const fakeTimers = withGlobal(globalThis);

/**
 * File and name-lookup requests libuv is still working on: an SDK client reading its shared config
 * files, a handler module being read. Time must not move (nor a stall be called) until they end.
 */
function pendingIo(): boolean {
  return process
    .getActiveResourcesInfo()
    .some((resource) => /^(FSReq|FileHandle|GetAddrInfo|TCPConnectWrap)/.test(resource));
}

/**
 * A discrete-event clock for a whole local run: `setTimeout`, `clearTimeout` and `Date` are
 * faked, so a Wait state of 300 s, a Step Functions retry interval or an SDK backoff all run on
 * simulated time and take no real time. The clock jumps to the next timer only when the process
 * is quiet: no HTTP request in flight (client or simulator side) and nothing left to run.
 * Jumping while a request is in flight would let simulated time pass during I/O; never jumping
 * while a task runs would freeze an SDK retry backoff inside it.
 */
export class VirtualTime {
  private readonly clock: Clock;
  private clientRequestsInFlight = 0;
  private readonly onRequestStart = (message: unknown) => {
    const request = (message as { request: ClientRequest }).request;
    this.clientRequestsInFlight += 1;
    request.once('close', () => {
      this.clientRequestsInFlight -= 1;
    });
  };

  constructor(startMs: number) {
    this.clock = fakeTimers.install({
      now: startMs,
      toFake: ['setTimeout', 'clearTimeout', 'Date'],
      // The SDK's HTTP handler clears placeholder ids (-1) it never set; let those pass.
      shouldClearNativeTimers: true,
    });
    subscribe('http.client.request.start', this.onRequestStart);
  }

  now(): number {
    return this.clock.now;
  }

  /**
   * Runs until `done()` is true, advancing simulated time whenever the process is quiet.
   * @throws Error when nothing is pending and `done()` is still false (a stalled run).
   */
  async runUntil(done: () => boolean, serverInFlight: () => number): Promise<void> {
    while (!done()) {
      await this.quiet(serverInFlight, done);
      if (done()) break;
      if (this.clock.countTimers() === 0)
        throw new Error('The local run stalled: nothing is pending and it has not ended.');
      this.clock.next();
    }
  }

  /**
   * Runs until `stopped()` for a server that others drive over HTTP: whenever the process is quiet
   * and a timer is pending (a Wait, a retry interval, an SDK backoff), simulated time jumps to it;
   * with no timer pending it flows at `speed` times real time, so updates started by hand still end.
   * While a task waits for a person's answer (`awaitingPerson`) it also flows, never jumps: a jump
   * would time the wait out before anyone could answer.
   */
  async serve(
    stopped: () => boolean,
    serverInFlight: () => number,
    speed: number,
    awaitingPerson: () => boolean,
  ): Promise<void> {
    const realPauseMs = 50;
    while (!stopped()) {
      await this.quiet(serverInFlight, stopped);
      if (stopped()) break;
      if (this.clock.countTimers() > 0 && !awaitingPerson()) {
        this.clock.next();
        continue;
      }
      await new Promise((resolve) => fakeTimers.timers.setTimeout(resolve, realPauseMs));
      this.clock.tick(realPauseMs * speed);
    }
  }

  /**
   * Resolves after a few event-loop turns in a row with nothing in flight (so promise chains and
   * stream callbacks finish before time moves), or as soon as `stop()` is true.
   */
  private async quiet(serverInFlight: () => number, stop: () => boolean): Promise<void> {
    let quietTurns = 0;
    while (quietTurns < 3 && !stop()) {
      await nextTurn();
      const busy = this.clientRequestsInFlight > 0 || serverInFlight() > 0 || pendingIo();
      quietTurns = busy ? 0 : quietTurns + 1;
    }
  }

  uninstall(): void {
    unsubscribe('http.client.request.start', this.onRequestStart);
    this.clock.uninstall();
  }
}
