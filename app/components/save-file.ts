// Saving a decrypted file: no crypto here, so the reporter page can import it without pulling in libsodium.

/** Hands a decrypted file to the browser as a download (never rendered in the page), under a name without path separators or control characters. */
export function saveAsFile(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name.replace(/[\\/\u0000-\u001f]/g, "_");
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
