/**
 * Polls `condition` until it holds, and resolves with its value; throws after `timeoutMs`. Tests wait on the
 * outcome they need, never on a fixed time: a sleep is either too short on a loaded machine or wasted on a
 * fast one.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  opts: { timeoutMs?: number; intervalMs?: number; message?: string | (() => string) } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) {
      const message = typeof opts.message === 'function' ? opts.message() : opts.message;
      throw new Error(message ?? 'condition not met in time');
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 20));
  }
}
