// The busy / error / notice state of a component's actions, written once:
// one action at a time (buttons bind `disabled` to `busy`), each starts from a
// clean slate, and a failure becomes a message on screen, not a rejection.
import { useState } from "react";

export interface ActionState {
  busy: boolean;
  error: string | null;
  notice: string | null;
  /** Runs `fn`; a message it returns becomes the notice, a throw becomes the error. True when `fn` succeeded. */
  run: (fn: () => Promise<string | null | void>) => Promise<boolean>;
}

/** `describe` turns what an action threw into the message shown (typically from its `code`). */
export function useAction(describe: (error: unknown) => string): ActionState {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const run = async (fn: () => Promise<string | null | void>) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const done = await fn();
      if (done) setNotice(done);
      return true;
    } catch (e) {
      setError(describe(e));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, notice, run };
}

/** The `code` of an API or crypto error, "unknown" for anything else. */
export const errorCode = (e: unknown): string => (e as { code?: string } | null)?.code ?? "unknown";
