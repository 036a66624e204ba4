// Saving a decrypted file: no crypto here, so the reporter page can import it without pulling in libsodium.
import { controlClass } from "./text-controls";

/** Path separators and every control in text-controls.ts (the same list the pages show as markers). */
const UNSAFE_IN_FILE_NAME = new RegExp(`[\\\\/${controlClass()}]`, "g");

/**
 * The name a decrypted file is saved under. The name comes from encrypted metadata the sender chose, so it
 * may hold anything: path separators, control characters (C0, DEL, C1), line separators and bidirectional
 * overrides (which make "report\u202Efdp.exe" read as "reportexe.pdf"), all as listed in text-controls.ts, become
 * "_"; a name left empty or made only of dots becomes "download".
 */
export function safeFileName(name: string): string {
  const cleaned = name.replace(UNSAFE_IN_FILE_NAME, "_");
  return /^[.\s]*$/.test(cleaned) ? "download" : cleaned;
}

/** Hands a decrypted file to the browser as a download (never rendered in the page), under a safe name (`safeFileName`). */
export function saveAsFile(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = safeFileName(name);
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
