import { EventEmitter } from 'node:events';

/**
 * A whole-call time limit for one upstream request, as the `signal` undici accepts (an emitter of 'abort'
 * with `aborted` and `reason`). Cheaper per call than `AbortSignal.timeout` (no EventTarget, no weak timer
 * registration) and cleared as soon as the response body is done, so finished calls leave no timer behind.
 * The reason is a TimeoutError, which translateInvocationError makes UPSTREAM_TIMEOUT.
 */
export class Deadline extends EventEmitter {
  aborted = false;
  reason: Error | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(ms: number) {
    super();
    this.timer = setTimeout(() => {
      this.aborted = true;
      this.reason = Object.assign(new Error(`The upstream did not answer within ${ms} ms.`), {
        name: 'TimeoutError',
      });
      this.emit('abort');
    }, ms);
    // A pending limit alone does not keep the process alive (as AbortSignal.timeout's does not).
    this.timer.unref();
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}
