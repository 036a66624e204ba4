// A comparison point for the server's upload path, run as its own process so
// that its CPU time can be read alone: plain node:http, each PUT body piped
// straight into one file at the part's offset (64 KiB chunks, same write
// stream settings as LocalDiskBlobStore), fsync, a small JSON answer. No
// Express, no Remix, no web streams, no database. Prints its URL on stdout.
import { createWriteStream } from "node:fs";
import { open } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

const file = process.argv[2];
if (!file) throw new Error("usage: plain-upload-server.ts <file>");
await (await open(file, "w")).close();
let size = 0;

const server = createServer((req, res) => {
  if (req.method !== "PUT") {
    res.writeHead(404).end();
    return;
  }
  const offset = size;
  let written = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      written += chunk.length;
      done(null, chunk);
    },
  });
  pipeline(req, counter, createWriteStream(file, { flags: "r+", start: offset, highWaterMark: 1 << 20 }))
    .then(async () => {
      const h = await open(file, "r");
      try {
        await h.sync();
      } finally {
        await h.close();
      }
      size = offset + written;
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ receivedBytes: size }));
    })
    .catch((error: Error) => {
      res.writeHead(500).end(error.message);
    });
});
server.requestTimeout = 0;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
