// Saving a decrypted file: no crypto here, so the reporter page can import it without pulling in libsodium.

/**
 * The name a decrypted file is saved under. The name comes from encrypted metadata the sender chose, so it
 * may hold anything: path separators, control characters (C0, DEL, C1), line separators and bidirectional
 * overrides (which make "report\u202Efdp.exe" read as "reportexe.pdf") become "_"; a name left empty or made
 * only of dots becomes "download".
 */
export function safeFileName(name: string): string {
  const cleaned = name.replace(/[\\/\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g, "_");
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
