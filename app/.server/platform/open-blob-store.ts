// The blob store the configuration names (ADR 037): local disk under DATA_DIR
// unless BLOB_STORE_URL names an S3-compatible bucket.
import { LocalDiskBlobStore, type BlobStore } from "./blob-store";
import type { Config } from "./config";
import { S3BlobStore } from "./s3-blob-store";

/** @param stampOf the start of the current day (local disk's coarse file times, ADR 033). */
export function openBlobStore(config: Pick<Config, "blobStore">, stampOf: () => Date): BlobStore {
  const c = config.blobStore;
  if (c.kind === "local") return new LocalDiskBlobStore(c.dir, stampOf);
  return new S3BlobStore({ bucket: c.bucket, prefix: c.prefix, region: c.region, endpoint: c.endpoint, forcePathStyle: c.forcePathStyle });
}
