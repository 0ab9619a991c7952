import { createLogger } from '../logger';
import { scheduleUnfinishedCleanup } from './unfinished-connections';

describe('scheduleUnfinishedCleanup', () => {
  const logger = createLogger('silent');
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** Lets the settled promises of a run finish (its .then/.finally) between timer ticks. */
  const settle = async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };

  test('sweeps once per interval, one run at a time, and stop waits for the run in progress', async () => {
    let runs = 0;
    let release: (() => void) | undefined;
    const sweeper = {
      sweep: () =>
        new Promise<number>((resolve) => {
          runs++;
          release = () => resolve(1);
        }),
    };
    const job = scheduleUnfinishedCleanup(sweeper, logger, 1000);
    // The first run comes within the first interval (a random point of it), then one per interval.
    jest.advanceTimersByTime(1000);
    expect(runs).toBe(1);
    // Held open across several intervals: no second run starts beside it.
    jest.advanceTimersByTime(5000);
    expect(runs).toBe(1);
    let stopped = false;
    const stopping = job.stop().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);
    release!();
    await stopping;
    // Stopped: no timer is left to start another run.
    jest.advanceTimersByTime(10_000);
    expect(runs).toBe(1);
    expect(jest.getTimerCount()).toBe(0);
  });

  test('a failing run is logged and the next interval runs again', async () => {
    let runs = 0;
    const sweeper = {
      sweep: async () => {
        runs++;
        if (runs === 1) throw new Error('database unavailable');
        return 0;
      },
    };
    const job = scheduleUnfinishedCleanup(sweeper, logger, 1000);
    for (let i = 0; i < 3; i++) {
      jest.advanceTimersByTime(1000);
      await settle();
    }
    expect(runs).toBeGreaterThanOrEqual(3);
    await job.stop();
    const after = runs;
    jest.advanceTimersByTime(10_000);
    expect(runs).toBe(after);
  });
});
