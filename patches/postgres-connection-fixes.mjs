// postinstall: fixes to postgres.js (3.4.x) for connections that PostgreSQL
// closes (a restart, a fail-over, pg_terminate_backend) and for when a statement
// counts as done. All are known upstream and not released as of 3.4.9.
// test/faults/postgres-restart.test.ts and test/faults/postgres-terminate.test.ts
// fail without them. ADR 017.
//
// 1. Writes after close (porsager/postgres#1066, #1154, #1208; fixes proposed in
//    #1168, #1176, #1209). Small writes are batched behind setImmediate(nextWrite).
//    a. A transaction's automatic ROLLBACK (sql.begin, which drizzle uses) is
//       written after closed() has set `socket = null`; nextWrite throws "Cannot
//       read properties of null (reading 'write')" from an Immediate: an uncaught
//       exception that takes the whole server down.
//    b. closed() and terminate() cancel the pending Immediate without clearing
//       `nextWriteTimer` and `chunk`; when the pool reuses that connection, the
//       stale bytes are prepended to the startup message and never flushed: the
//       connection hangs until its connect timeout, again and again.
//    Fix: forget queued bytes when the socket closes; a write on a closed
//    connection fails its queries with CONNECTION_CLOSED instead of throwing.
// 2. Queries stranded by a reset (related: #1097, #1130, #1142). When the socket
//    errors (ECONNRESET after the backend was terminated), the 'error' handler
//    fails the queries sent so far, but the pool still counts the connection as
//    busy until 'close' and pipelines new queries onto it. closed(hadError=true)
//    failed nothing, so those queries stayed in `sent` across the reconnect; the
//    first ReadyForQuery on the new socket then made the stranded query current,
//    waiting for an answer to bytes never sent on that socket, and every query
//    queued behind it hung for good. The rejected query also stayed `query`,
//    which makes end() wait forever.
//    Fix: closed() fails whatever is still current or sent, with or without a
//    socket error, and forgets the current query.
// 3. A failed type fetch ends the process (#279, #1192, #1205, #1223). A new
//    connection first fetches array types; ReadyForQuery drops the promise of
//    fetchArrayTypes(), so when that query fails (the backend is terminated while
//    the connection starts) the rejection is unhandled and Node exits. The error
//    has already been given to the query that opened the connection.
//    Fix: catch it there.
// 4. Done before the commit (#1090, #1117). An autocommit statement commits when
//    PostgreSQL processes the Sync after it, after it has sent CommandComplete;
//    postgres.js resolved the query at CommandComplete. A failure at the commit
//    (a deferred constraint, a backend terminated in that moment) was dropped:
//    the caller was told the INSERT succeeded although nothing was stored. The
//    fault test lost an acknowledged submission this way.
//    Fix: resolve at ReadyForQuery, as simple queries (and node-postgres) do;
//    cursors keep resolving where they did.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const MARK = "/* clean-okestro-report: connection fix */";
// What the first version of this script wrote; such trees get the newer edits too.
const OLD_MARK = "/* clean-okestro-report: write-after-close fix */";
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
  [
    "    !hadError && (query || sent.length) && error(Errors.connection('CONNECTION_CLOSED', options, socket))\n",
    `    ;(query || sent.length) && error(Errors.connection('CONNECTION_CLOSED', options, socket)) ${MARK}\n    query = null\n`,
  ],
  [
    "        return fetchArrayTypes()\n",
    `        return fetchArrayTypes().catch(noop) ${MARK}\n`,
  ],
  [
    "  function ReadyForQuery(x) {\n    query && query.options.simple && query.resolve(results || result)\n",
    `  function ReadyForQuery(x) {\n    query && (query.options.simple ? query.resolve(results || result) : result.command && !query.cursorFn && query.resolve(result)) ${MARK}\n`,
  ],
  [
    "      write(Sync)\n    }\n\n    query.resolve(result)\n  }\n",
    `      write(Sync)\n      return query.resolve(result) ${MARK}\n    }\n  }\n`,
  ],
];

// Each edit is applied once: an edit whose result is already there is skipped,
// so a tree patched by an earlier version of this script gets the newer edits.
let problems = 0;
for (const file of files) {
  const before = readFileSync(file, "utf8");
  let text = before.replaceAll(OLD_MARK, MARK);
  for (const [from, to] of edits) {
    if (text.includes(to)) continue;
    if (text.split(from).length !== 2) {
      problems++;
      break;
    }
    text = text.replace(from, to);
  }
  if (problems === 0 && text !== before) writeFileSync(file, text);
}
if (files.length === 0 || problems > 0) {
  process.stderr.write(
    "patches/postgres-connection-fixes.mjs: postgres.js does not look like 3.4.7-3.4.9; not patched. " +
      "Check whether porsager/postgres#1208 and #1142 are fixed in this version, then remove this patch.\n",
  );
}
