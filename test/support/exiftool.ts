// Debian's exiftool (libimage-exiftool-perl), pdftotext (poppler-utils) and heif-convert (libheif-examples) for the metadata tests
// (ADR 045): under CI a missing tool fails the run instead of skipping, as Chromium does.
import { execFileSync, spawnSync } from "node:child_process";
import { CI } from "./backends";

function available(command: string, args: string[], apt: string): boolean {
  const ok = spawnSync(command, args, { stdio: "ignore" }).status === 0;
  if (!ok && CI) throw new Error(`${command} is required under CI but is not installed (apt-get install -y ${apt})`);
  return ok;
}

export const exiftoolAvailable = () => available("exiftool", ["-ver"], "libimage-exiftool-perl");
export const pdftotextAvailable = () => available("pdftotext", ["-v"], "poppler-utils");
export const heifConvertAvailable = () => available("heif-convert", ["--version"], "libheif-examples");

/** Writes tags into a file in place, as a camera or an editor would have. */
export function exiftoolWrite(file: string, tags: string[]): void {
  execFileSync("exiftool", ["-q", "-overwrite_original", ...tags, file]);
}

/** Every tag exiftool finds, with its group: `{ "IFD0:Artist": "…", … }` (duplicates and unknown tags included). */
export function exiftoolRead(file: string): Record<string, unknown> {
  const out = execFileSync("exiftool", ["-j", "-a", "-u", "-G1", "-n", file], { maxBuffer: 64 * 1024 * 1024 }).toString();
  return (JSON.parse(out) as Record<string, unknown>[])[0]!;
}

export function pdfText(file: string): string {
  return execFileSync("pdftotext", ["-layout", file, "-"]).toString();
}
