// postinstall: fixes postgres.js (3.4.x) writing to a connection that has
// closed. Upstream: porsager/postgres#1066, #1154, #1208 (fix proposed in
// #1168, #1176, #1209; not released as of 3.4.9).
//
// Small writes are batched behind setImmediate(nextWrite). When PostgreSQL goes
// away (a restart, a fail-over, a killed backend):
//  1. a transaction's automatic ROLLBACK (sql.begin, which drizzle uses) is
//     written to the connection after closed() has set `socket = null`, and
//     nextWrite throws "Cannot read properties of null (reading 'write')" from
//     an Immediate: an uncaught exception that takes the whole server down;
//  2. closed() and terminate() cancel the pending Immediate without clearing
//     `nextWriteTimer` and `chunk`, so when the pool reuses that connection, the
//     stale bytes are prepended to the startup message and never flushed: the
//     connection hangs until its connect timeout, again and again.
// The fix: forget queued bytes when the socket closes, and let a write on a
// closed connection fail its queries with CONNECTION_CLOSED instead of throwing.
// test/faults/postgres-restart.test.ts restarts PostgreSQL under load to prove it.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const MARK = "/* clean-okestro-report: write-after-close fix */";
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "node_modules", "postgres");
const files = ["src/connection.js", "cjs/src/connection.js", "cf/src/connection.js"].map((f) => path.join(root, f)).filter((f) => existsSync(f));

const edits = [
  [
    "  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)\n",
    `  function nextWrite(fn) {\n    if (!socket) { ${MARK}\n      nextWriteTimer !== null && clearImmediate(nextWriteTimer)\n      chunk = nextWriteTimer = null\n      error(Errors.connection('CONNECTION_CLOSED', options))\n      return true\n    }\n    const x = socket.write(chunk, fn)\n`,
  ],
  [
    "      error(Errors.connection('CONNECTION_DESTROYED', options))\n\n    clearImmediate(nextWriteTimer)\n",
    `      error(Errors.connection('CONNECTION_DESTROYED', options))\n\n    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null ${MARK}\n`,
  ],
  [
    "    incomings = null\n    clearImmediate(nextWriteTimer)\n",
    `    incomings = null\n    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null ${MARK}\n`,
  ],
];

let problems = 0;
for (const file of files) {
  let text = readFileSync(file, "utf8");
  if (text.includes(MARK)) continue;
  for (const [from, to] of edits) {
    if (text.split(from).length !== 2) {
      problems++;
      break;
    }
    text = text.replace(from, to);
  }
  if (problems === 0) writeFileSync(file, text);
}
if (files.length === 0 || problems > 0) {
  process.stderr.write(
    "patches/postgres-write-after-close.mjs: postgres.js does not look like 3.4.7-3.4.9; not patched. " +
      "Check whether porsager/postgres#1208 is fixed in this version, then remove this patch.\n",
  );
}
