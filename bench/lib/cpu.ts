// CPU time spent by each process over a phase, from /proc/<pid>/stat, and how
// busy the whole machine was (/proc/stat). On two cores the browser, its
// network service and the server compete for the same CPUs; this says who
// used them.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

let ticksPerSecond = 100;
try {
  ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
} catch {
  /* keep the usual 100 */
}

function statFields(pid: number): string[] | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name may hold spaces and parentheses: fields start after the last ")".
    return text.slice(text.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null;
  }
}

/** utime and stime in ms (fields 14 and 15 of /proc/<pid>/stat). */
function cpuTimes(pid: number): { user: number; sys: number } | null {
  const f = statFields(pid);
  if (!f) return null;
  return { user: (Number(f[11]) / ticksPerSecond) * 1000, sys: (Number(f[12]) / ticksPerSecond) * 1000 };
}

/** User + system CPU time of one process so far, ms; null if it is gone. */
export function processCpuMs(pid: number): number | null {
  const t = cpuTimes(pid);
  return t === null ? null : t.user + t.sys;
}

function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const f = statFields(Number(name));
    if (!f) continue;
    const ppid = Number(f[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(name));
    children.set(ppid, list);
  }
  const out: number[] = [root];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]!) ?? []));
  return out;
}

/** A Chromium process's role from its command line (--type=..., network service, ...). */
function chromiumRole(pid: number): string {
  try {
    // Chromium rewrites its process title, so arguments may be joined by spaces.
    const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split(/[\0 ]/);
    const type = args.find((a) => a.startsWith("--type="))?.slice(7);
    if (!type) return "browser";
    if (type === "utility") {
      const sub = args.find((a) => a.startsWith("--utility-sub-type="))?.slice(19) ?? "";
      return sub.includes("network") ? "network service" : `utility ${sub}`;
    }
    return type;
  } catch {
    return "gone";
  }
}

function machineTicks(): { busy: number; total: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = line.reduce((a, b) => a + b, 0);
  const idle = (line[3] ?? 0) + (line[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

export interface CpuUse {
  wallMs: number;
  /** Share of all CPUs that were busy (100 % = every core all the time). */
  machineBusyPct: number;
  cores: number;
  /** CPU time by process group and role, ms. */
  byProcess: { group: string; role: string; cpuMs: number; sysMs: number; pctOfOneCore: number }[];
  /** Busy CPU time of the whole machine not accounted to the processes above (other work on the machine), ms. */
  otherCpuMs: number;
}

export function startCpuAccounting(groups: { group: string; pid: number; chromium?: boolean }[], cores: number) {
  const t0 = performance.now();
  const m0 = machineTicks();
  const before = new Map<string, { group: string; role: string; pid: number; user: number; sys: number }>();
  for (const g of groups) {
    for (const pid of g.chromium ? descendants(g.pid) : [g.pid]) {
      const t = cpuTimes(pid);
      if (t !== null) before.set(`${g.group}/${pid}`, { group: g.group, role: g.chromium ? chromiumRole(pid) : g.group, pid, ...t });
    }
  }
  const self0 = process.cpuUsage();
  return {
    stop(): CpuUse {
      const wallMs = performance.now() - t0;
      const m1 = machineTicks();
      const sums = new Map<string, { group: string; role: string; cpuMs: number; sysMs: number }>();
      for (const b of before.values()) {
        const t = cpuTimes(b.pid);
        if (t === null) continue;
        const key = `${b.group}/${b.role}`;
        const s = sums.get(key) ?? { group: b.group, role: b.role, cpuMs: 0, sysMs: 0 };
        s.cpuMs += t.user - b.user + (t.sys - b.sys);
        s.sysMs += t.sys - b.sys;
        sums.set(key, s);
      }
      const self = process.cpuUsage(self0);
      sums.set("bench/driver", {
        group: "bench",
        role: "this process (driver, RSS sampling)",
        cpuMs: (self.user + self.system) / 1000,
        sysMs: self.system / 1000,
      });
      const byProcess = [...sums.values()]
        .filter((s) => s.cpuMs > 0)
        .sort((a, b) => b.cpuMs - a.cpuMs)
        .map((s) => ({ ...s, pctOfOneCore: (s.cpuMs / wallMs) * 100 }));
      const busyMs = ((m1.busy - m0.busy) / ticksPerSecond) * 1000;
      const ours = byProcess.reduce((n, p) => n + p.cpuMs, 0);
      return {
        wallMs,
        machineBusyPct: ((m1.busy - m0.busy) / Math.max(1, m1.total - m0.total)) * 100,
        cores,
        byProcess,
        otherCpuMs: Math.max(0, busyMs - ours),
      };
    },
  };
}

/**
 * Waits (at most `maxSeconds`) until the machine has been nearly idle for a
 * second: on a shared machine, other work would otherwise land in the figures.
 * Resolves to the seconds waited and whether it got there.
 */
export async function waitForIdle(maxSeconds: number, busyBelowPct = 15): Promise<{ waitedS: number; idle: boolean; lastBusyPct: number }> {
  const t0 = Date.now();
  let lastBusyPct = 100;
  for (;;) {
    const a = machineTicks();
    await new Promise((r) => setTimeout(r, 1000));
    const b = machineTicks();
    lastBusyPct = ((b.busy - a.busy) / Math.max(1, b.total - a.total)) * 100;
    const waitedS = (Date.now() - t0) / 1000;
    if (lastBusyPct < busyBelowPct) return { waitedS, idle: true, lastBusyPct };
    if (waitedS >= maxSeconds) return { waitedS, idle: false, lastBusyPct };
  }
}
