// s3rver (ADR 037), the S3-compatible server the tests use, run by the
// benchmarks in a process of its own (./s3rver-child.mjs): its CPU time and
// memory are then its own, and its request handling does not share the bench's
// event loop with the clients it is measured under.
import { spawn } from "node:child_process";
import path from "node:path";
import { setS3rverCredentials } from "../../test/support/s3-server";
import { ROOT } from "./portal";

export interface S3rverProcess {
  pid: number;
  endpoint: string;
  bucket: string;
  /** The portal's environment for this bucket under `prefix`: BLOB_STORE_URL, the S3_ settings and s3rver's key pair. */
  env(prefix: string): Record<string, string>;
  stop(): Promise<void>;
}

export async function startS3rverProcess(): Promise<S3rverProcess> {
  const child = spawn(process.execPath, [path.join(ROOT, "bench/lib/s3rver-child.mjs")], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const started = await new Promise<{ endpoint: string; bucket: string }>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (c) => {
      out += c;
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve(JSON.parse(line) as { endpoint: string; bucket: string });
    });
    void exited.then((code) => reject(new Error(`s3rver exited (${code}) before it listened`)));
  });
  setS3rverCredentials(); // this process reads the bucket too (checks), with the same key pair
  return {
    pid: child.pid!,
    ...started,
    env: (prefix) => ({
      BLOB_STORE_URL: `s3://${started.bucket}/${prefix}`,
      S3_ENDPOINT: started.endpoint,
      S3_REGION: "us-east-1",
      S3_FORCE_PATH_STYLE: "true",
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID!,
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY!,
    }),
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM"); // it closes s3rver and removes its directory
      await exited;
    },
  };
}
