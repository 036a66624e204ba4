// Loads what a page will need later (the cipher: libsodium's WebAssembly and its wrapper) at the reader's first
// sign of using the page, a focus, a tap or a key, instead of while the page loads, where on a phone it competes
// with the first paint and hydration (issue 18, ADR 042). Writing a report or typing a receipt code takes far
// longer than the load, and whatever needs the code still awaits it, so nothing waits on this.
const INTENT = ["focusin", "pointerdown", "keydown", "input"] as const;

/** Calls `load` once, on the first intent event anywhere in the document; returns a function that stops listening. */
export function warmOnIntent(load: () => unknown): () => void {
  let started = false;
  const stop = () => {
    for (const type of INTENT) document.removeEventListener(type, start, true);
  };
  function start() {
    if (started) return;
    started = true;
    stop();
    load();
  }
  for (const type of INTENT) document.addEventListener(type, start, { capture: true, passive: true });
  return stop;
}
