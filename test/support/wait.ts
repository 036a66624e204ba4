// Waiting in the fault tests for a state another process reaches (a part half written, a retry failed): polled
// every 10 ms, so the test acts at that moment, with a bound that only turns a hang into a failure.

/** Resolves with `fn`'s first truthy answer; fails naming `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
