// s3rver for the benchmarks, as a plain Node script (bench/lib/s3rver-process.ts
// starts it): under tsx's loader, s3rver's Koa resolves the `generator-function`
// package to its ES module and fails at its first request, so this file is
// JavaScript and runs without tsx. Same settings as test/support/s3-server.ts:
// loopback, a free port, a temporary directory, one bucket. Prints one JSON line.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import S3rver from "s3rver";

const bucket = process.argv[2] ?? "cor-blobs";
const directory = await mkdtemp(path.join(os.tmpdir(), "cor-bench-s3-"));
const server = new S3rver({ address: "127.0.0.1", port: 0, directory, silent: true, configureBuckets: [{ name: bucket }] });
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ endpoint: `http://127.0.0.1:${port}`, bucket })}\n`);

const stop = () =>
  void server
    .close()
    .then(() => rm(directory, { recursive: true, force: true }))
    .finally(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
