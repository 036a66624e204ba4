// What the figures were measured on.
import { readFileSync } from "node:fs";
import os from "node:os";

export interface Machine {
  nproc: number;
  cpuModel: string;
  memTotalMiB: number;
  node: string;
  chromium: string;
  kernel: string;
  /** 1-minute load average when the run started: other work on the machine skews every figure. */
  loadAverage1m: number;
}

export function describeMachine(chromiumVersion: string): Machine {
  let cpuModel = os.cpus()[0]?.model ?? "unknown";
  let memTotalMiB = Math.round(os.totalmem() / 1024 / 1024);
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1]?.trim() ?? cpuModel;
    const kb = /^MemTotal:\s+(\d+) kB/m.exec(readFileSync("/proc/meminfo", "utf8"))?.[1];
    if (kb) memTotalMiB = Math.round(Number(kb) / 1024);
  } catch {
    /* not Linux: keep what os says */
  }
  return {
    nproc: os.availableParallelism(),
    cpuModel,
    memTotalMiB,
    node: process.version,
    chromium: chromiumVersion,
    kernel: `${os.type()} ${os.release()}`,
    loadAverage1m: os.loadavg()[0] ?? 0,
  };
}
