// Resident memory of another process, read from /proc/<pid>/status.
import { readFileSync, writeFileSync } from "node:fs";

const MiB = 1024 * 1024;

function statusField(pid: number, field: "VmRSS" | "VmHWM"): number {
  const text = readFileSync(`/proc/${pid}/status`, "utf8");
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
  if (!m) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(m[1]) * 1024;
}

export const rssBytes = (pid: number) => statusField(pid, "VmRSS");

/**
 * Resets the kernel's peak-RSS mark (VmHWM) so that it covers one phase only
 * (echo 5 > /proc/<pid>/clear_refs, Linux >= 4.0). Returns false where the
 * kernel or the sandbox refuses.
 */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

export interface MemoryPhase {
  label: string;
  samples: number;
  /** RSS when the phase started. */
  startMiB: number;
  /** Highest sampled RSS. */
  peakMiB: number;
  /** Kernel high-water mark over the phase (VmHWM after a reset), if available. */
  kernelPeakMiB: number | null;
  endMiB: number;
  durationMs: number;
}

/** Samples VmRSS every `intervalMs` until stop(). */
export function sampleRss(pid: number, label: string, intervalMs = 50) {
  const hwmReset = resetPeak(pid);
  const started = performance.now();
  const start = rssBytes(pid);
  let peak = start;
  let samples = 1;
  let last = start;
  const tick = () => {
    try {
      last = rssBytes(pid);
      samples++;
      if (last > peak) peak = last;
    } catch {
      /* the process went away; stop() reports what was seen */
    }
  };
  const timer = setInterval(tick, intervalMs);
  return {
    stop(): MemoryPhase {
      clearInterval(timer);
      tick();
      let kernelPeak: number | null = null;
      if (hwmReset) {
        try {
          kernelPeak = statusField(pid, "VmHWM");
        } catch {
          kernelPeak = null;
        }
      }
      return {
        label,
        samples,
        startMiB: start / MiB,
        peakMiB: peak / MiB,
        kernelPeakMiB: kernelPeak === null ? null : kernelPeak / MiB,
        endMiB: last / MiB,
        durationMs: performance.now() - started,
      };
    },
  };
}
