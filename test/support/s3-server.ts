// A real S3-compatible server on loopback for tests: s3rver (ADR 037), in this
// process, on a free port, over a temporary directory. It must start: no test
// skips when it cannot (under CI or not), it fails.
import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
// @ts-expect-error s3rver ships no types
import S3rver from "s3rver";

export interface TestS3 {
  endpoint: string;
  bucket: string;
  /** s3rver's storage on disk (a multipart upload's parts lie under `<bucket>/._S3rver_uploads/<upload id>/`). */
  directory: string;
  /** The portal's environment for this server: BLOB_STORE_URL and the S3_ settings. */
  env(prefix?: string): Record<string, string>;
  stop(): Promise<void>;
}

/** s3rver's built-in key pair; the SDK reads credentials from the standard environment. */
export function setS3rverCredentials(): void {
  process.env.AWS_ACCESS_KEY_ID = "S3RVER";
  process.env.AWS_SECRET_ACCESS_KEY = "S3RVER";
}

export async function startTestS3(bucket = "cor-blobs"): Promise<TestS3> {
  const directory = await mkdtemp(path.join(os.tmpdir(), "cor-s3-"));
  const server = new S3rver({ address: "127.0.0.1", port: 0, directory, silent: true, configureBuckets: [{ name: bucket }] }) as {
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  };
  const { port } = await server.run();
  setS3rverCredentials();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    directory,
    env: (prefix = "attachments") => ({
      BLOB_STORE_URL: `s3://${bucket}/${prefix}`,
      S3_ENDPOINT: endpoint,
      S3_REGION: "us-east-1",
      S3_FORCE_PATH_STYLE: "true",
    }),
    stop: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
