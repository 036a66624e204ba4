// A port that cannot be listened on is an operator's mistake, not a fault: the start stops with a
// message naming the setting (exit status 2 in server/main.ts), having closed what it opened.

export class ListenError extends Error {
  constructor(
    readonly setting: "PORT" | "METRICS_PORT",
    host: string,
    port: number,
    cause: unknown,
  ) {
    const code = (cause as NodeJS.ErrnoException | null)?.code;
    const why =
      code === "EADDRINUSE"
        ? "is already in use: stop what listens there or choose another"
        : code === "EACCES"
          ? "may not be listened on by this user: choose a port above 1023 or another"
          : `cannot be listened on (${code ?? String(cause)}): choose another`;
    super(`${setting}: ${host}:${port} ${why} ${setting}`, { cause });
    this.name = "ListenError";
  }
}
