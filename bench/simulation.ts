/**
 * Simulated time for the sweep-cost benchmark: a virtual clock (every AWS call takes a fixed
 * latency, with no real waiting), token buckets for API throttling, and a call counter.
 *
 * The clock advances only when every piece of in-flight work is waiting on it, so concurrency
 * limits inside the code under test (pages chained by NextToken, bounded `mapWithConcurrency`,
 * parallel `Promise.all`) show in the simulated wall time exactly as they would against AWS.
 */

interface Timer {
  readonly at: number;
  readonly resolve: () => void;
}

/**
 * @example
 * const clock = new VirtualClock();
 * const result = await clock.run(async () => { await clock.sleep(50); return 'done'; });
 * clock.now; // 50
 */
export class VirtualClock {
  /** Simulated milliseconds since the run started. */
  now = 0;
  private timers: Timer[] = [];

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = { at: this.now + Math.max(0, ms), resolve };
      // Keep the list sorted by time; equal times keep their order.
      let index = this.timers.length;
      while (index > 0 && (this.timers[index - 1]?.at ?? 0) > timer.at) index--;
      this.timers.splice(index, 0, timer);
    });
  }

  /** Runs `main` to completion in simulated time. */
  async run<T>(main: () => Promise<T>): Promise<T> {
    let settled = false;
    let value: T | undefined;
    let failure: unknown;
    let failed = false;
    main().then(
      (result) => {
        settled = true;
        value = result;
      },
      (error: unknown) => {
        settled = true;
        failed = true;
        failure = error;
      },
    );
    while (!settled) {
      // Let every runnable continuation run until it waits on the clock again.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (settled) break;
      const first = this.timers[0];
      if (first === undefined) continue;
      this.now = first.at;
      let count = 0;
      while (count < this.timers.length && this.timers[count]?.at === first.at) count++;
      for (const timer of this.timers.splice(0, count)) timer.resolve();
    }
    if (failed) throw failure;
    return value as T;
  }
}

/**
 * A token bucket as EC2 throttles with (bucket size, refill per second). A request that finds
 * the bucket empty waits for the next token, as a client with adaptive retry paces itself: the
 * model never counts a throttled-then-retried request twice, which flatters the fan-out.
 */
export class TokenBucket {
  private tokens: number;
  private last = 0;

  constructor(
    private readonly clock: VirtualClock,
    private readonly size: number,
    private readonly refillPerSecond: number,
  ) {
    this.tokens = size;
  }

  async take(): Promise<void> {
    for (;;) {
      const elapsed = this.clock.now - this.last;
      this.tokens = Math.min(this.size, this.tokens + (elapsed * this.refillPerSecond) / 1000);
      this.last = this.clock.now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.clock.sleep(((1 - this.tokens) * 1000) / this.refillPerSecond);
    }
  }
}

/** Counts AWS calls by API. */
export class CallCounter {
  readonly byApi = new Map<string, number>();

  add(api: string): void {
    this.byApi.set(api, (this.byApi.get(api) ?? 0) + 1);
  }

  get total(): number {
    let sum = 0;
    for (const count of this.byApi.values()) sum += count;
    return sum;
  }

  count(...apis: readonly string[]): number {
    return apis.reduce((sum, api) => sum + (this.byApi.get(api) ?? 0), 0);
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.byApi].sort((a, b) => b[1] - a[1]));
  }
}
