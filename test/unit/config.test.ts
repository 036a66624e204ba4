import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../app/.server/platform/config";

describe("configuration", () => {
  it("has working defaults", () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.paths.pglite).toMatch(/data\/pgdata$/);
    expect(c.paths.blobs).toMatch(/data\/blobs$/);
    expect(c.MAX_ATTACHMENT_BYTES).toBeGreaterThanOrEqual(2 * 1024 ** 3);
  });

  it("names every bad variable and the value it got", () => {
    let error: unknown;
    try {
      loadConfig({ PORT: "eighty", DATABASE_URL: "mysql://x", TIME_ZONE: "Mars/Olympus", LOG_LEVEL: "loud" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('PORT: Expected number, received nan (got "eighty")');
    expect(message).toContain('DATABASE_URL: must be a postgres:// or postgresql:// URL (got "mysql://x")');
    expect(message).toContain("LOG_LEVEL");
    expect(() => loadConfig({ TIME_ZONE: "Mars/Olympus" })).toThrow(/TIME_ZONE: unknown time zone/);
  });

  it("checks API answers against their schemas except in production, unless told otherwise", () => {
    expect(loadConfig({}).API_RESPONSE_CHECK).toBe(true);
    expect(loadConfig({ NODE_ENV: "test" }).API_RESPONSE_CHECK).toBe(true);
    expect(loadConfig({ NODE_ENV: "production" }).API_RESPONSE_CHECK).toBe(false);
    expect(loadConfig({ NODE_ENV: "production", API_RESPONSE_CHECK: "true" }).API_RESPONSE_CHECK).toBe(true);
    expect(loadConfig({ API_RESPONSE_CHECK: "false" }).API_RESPONSE_CHECK).toBe(false);
    expect(() => loadConfig({ API_RESPONSE_CHECK: "sometimes" })).toThrow(/API_RESPONSE_CHECK/);
  });

  it("keeps PUBLIC_ORIGIN an origin: a trailing slash dropped, a path refused", () => {
    expect(loadConfig({ PUBLIC_ORIGIN: "https://report.example.com/" }).PUBLIC_ORIGIN).toBe("https://report.example.com");
    expect(loadConfig({ PUBLIC_ORIGIN: "https://Report.Example.com:8443" }).PUBLIC_ORIGIN).toBe("https://report.example.com:8443");
    expect(() => loadConfig({ PUBLIC_ORIGIN: "https://report.example.com/portal" })).toThrow(/PUBLIC_ORIGIN: must be an origin only/);
    expect(() => loadConfig({ PUBLIC_ORIGIN: "https://report.example.com/?x=1" })).toThrow(/PUBLIC_ORIGIN: must be an origin only/);
    expect(() => loadConfig({ PUBLIC_ORIGIN: "ftp://report.example.com" })).toThrow(/PUBLIC_ORIGIN: must be an http/);
  });

  it("keeps ONION_LOCATION an http(s) origin of an onion service (ADR 043)", () => {
    const onion = "http://okestroreportabcdefghijklmnopqrstuvwxyz234567abcdefghijk.onion";
    expect(loadConfig({}).ONION_LOCATION).toBeUndefined();
    expect(loadConfig({ ONION_LOCATION: `${onion}/` }).ONION_LOCATION).toBe(onion);
    expect(loadConfig({ ONION_LOCATION: onion.replace("http:", "https:") }).ONION_LOCATION).toBe(onion.replace("http:", "https:"));
    expect(() => loadConfig({ ONION_LOCATION: "https://report.example.com" })).toThrow(/ONION_LOCATION: must name an onion service/);
    expect(() => loadConfig({ ONION_LOCATION: "https://report.onion.example.com" })).toThrow(/ONION_LOCATION: must name an onion service/);
    expect(() => loadConfig({ ONION_LOCATION: `${onion}/report` })).toThrow(/ONION_LOCATION: must be an origin only/);
    expect(() => loadConfig({ ONION_LOCATION: `${onion}/?x=1` })).toThrow(/ONION_LOCATION: must be an origin only/);
    expect(() => loadConfig({ ONION_LOCATION: onion.replace("http:", "ftp:") })).toThrow(/ONION_LOCATION: must be an http/);
    expect(() => loadConfig({ ONION_LOCATION: "not a url" })).toThrow(/ONION_LOCATION: must be a URL/);
  });

  it("bounds the budgets of the report form without JavaScript (ADR 043)", () => {
    const c = loadConfig({});
    expect([c.NOJS_REPORTS_PER_CLIENT, c.NOJS_CONCURRENT_SUBMISSIONS]).toEqual([3, 2]);
    expect(() => loadConfig({ NOJS_REPORTS_PER_CLIENT: "0" })).toThrow(/NOJS_REPORTS_PER_CLIENT/);
    expect(() => loadConfig({ NOJS_CONCURRENT_SUBMISSIONS: "65" })).toThrow(/NOJS_CONCURRENT_SUBMISSIONS/);
  });

  it("treats empty variables as unset", () => {
    expect(loadConfig({ PORT: "", DATABASE_URL: "" }).PORT).toBe(3000);
  });

  it("keeps blobs on local disk unless BLOB_STORE_URL names a bucket, and checks the S3 settings (ADR 037)", () => {
    expect(loadConfig({}).blobStore).toEqual({ kind: "local", dir: loadConfig({}).paths.blobs });
    expect(loadConfig({ BLOB_STORE_URL: "s3://cor-blobs/portal/files/", S3_REGION: "ap-northeast-2" }).blobStore).toEqual({
      kind: "s3",
      bucket: "cor-blobs",
      prefix: "portal/files/",
      region: "ap-northeast-2",
      endpoint: undefined,
      forcePathStyle: false,
    });
    const minio = loadConfig({ BLOB_STORE_URL: "s3://cor", S3_ENDPOINT: "http://minio:9000", AWS_REGION: "us-east-1", S3_FORCE_PATH_STYLE: "true" });
    expect(minio.blobStore).toMatchObject({ kind: "s3", bucket: "cor", prefix: "", region: "us-east-1", endpoint: "http://minio:9000", forcePathStyle: true });
    expect(() => loadConfig({ BLOB_STORE_URL: "s3://cor" })).toThrow(/S3_REGION: required with BLOB_STORE_URL/);
    expect(() => loadConfig({ BLOB_STORE_URL: "https://cor.s3.amazonaws.com", S3_REGION: "us-east-1" })).toThrow(/BLOB_STORE_URL: must be s3:\/\/bucket/);
    expect(() => loadConfig({ BLOB_STORE_URL: "s3://Bad_Bucket", S3_REGION: "us-east-1" })).toThrow(/BLOB_STORE_URL/);
    expect(() => loadConfig({ BLOB_STORE_URL: "s3://cor", S3_REGION: "us-east-1", S3_ENDPOINT: "minio:9000" })).toThrow(/S3_ENDPOINT: must be a URL/);
    expect(() => loadConfig({ S3_ENDPOINT: "http://minio:9000" })).toThrow(/S3_ENDPOINT: set, but BLOB_STORE_URL is not/);
  });
});
