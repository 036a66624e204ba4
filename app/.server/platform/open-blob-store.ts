// The blob store the configuration names (ADR 037): local disk under DATA_DIR
// unless BLOB_STORE_URL names an S3-compatible bucket.
import { LocalDiskBlobStore, type BlobStore } from "./blob-store";
import type { Config } from "./config";

/**
 * An object store is checked before the server starts (the bucket can be listed with the credentials).
 * @param stampOf the start of the current day (local disk's coarse file times, ADR 033).
 */
export async function openBlobStore(config: Pick<Config, "blobStore">, stampOf: () => Date): Promise<BlobStore> {
  const c = config.blobStore;
  if (c.kind === "local") return new LocalDiskBlobStore(c.dir, stampOf);
  // Loaded only here: the AWS SDK costs about 0.2 s at every start, which a portal on local disk need not pay.
  const { S3BlobStore } = await import("./s3-blob-store");
  const store = new S3BlobStore({ bucket: c.bucket, prefix: c.prefix, region: c.region, endpoint: c.endpoint, forcePathStyle: c.forcePathStyle });
  await store.check();
  return store;
}
