// postgres.js must run with our connection fixes (patches/postgres+3.4.7.patch, applied by
// patch-package as the postinstall script; ADR 020). Unpatched, a PostgreSQL restart or a terminated
// backend can end the process or hang the pool for good, and an INSERT can be acknowledged although
// its commit failed. An install can still end up without them (`npm ci --ignore-scripts`, a copied
// node_modules, a patches/ folder missing: patch-package then finds nothing to do and succeeds), so
// db/client.ts refuses to open PostgreSQL with a driver that lacks the marker the patch adds to the
// default export of each of its builds.

/** The value the patch gives `postgres.connectionFixes`; changed together with the patch's fixes. */
export const CONNECTION_FIXES = "clean-okestro-report/1";

export class UnpatchedDriverError extends Error {
  constructor(readonly found: unknown) {
    super(
      `postgres.js (node_modules/postgres) does not have the portal's connection fixes: its connectionFixes is ` +
        `${JSON.stringify(found) ?? "undefined"}, expected ${JSON.stringify(CONNECTION_FIXES)}. Without them a PostgreSQL ` +
        "restart can crash the portal or leave queries waiting for ever, and a failed commit can be reported as " +
        "success. Install with `npm ci` or `npm install` so that patch-package applies patches/postgres+*.patch " +
        "(or run `npx patch-package`); see docs/decisions/020-postgres-js-fixes-as-a-patch-package-patch.md.",
    );
    this.name = "UnpatchedDriverError";
  }
}

/** Throws UnpatchedDriverError unless `driver` (postgres.js's default export) carries the patch's marker. */
export function assertPatchedDriver(driver: object): void {
  const found: unknown = Reflect.get(driver, "connectionFixes");
  if (found !== CONNECTION_FIXES) throw new UnpatchedDriverError(found);
}
