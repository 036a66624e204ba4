import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { AttachmentDecryptor, encryptAttachment, generateFileKey, loadSodium } from "../../crypto";
import { decryptResponseToBlob } from "../../app/reporter/decrypt-download";
import { patternedBytes } from "../support/files";

describe("decrypting a download into a Blob", () => {
  beforeAll(() => loadSodium());

  it("folds a stream larger than its fold size into one Blob with the exact plaintext", async () => {
    const binding = { reportId: "11111111-1111-4111-8111-111111111111", attachmentId: "22222222-2222-4222-8222-222222222222" };
    const key = generateFileKey();
    const plain = patternedBytes(40 * 1024 * 1024 + 12_345, "fold");
    const cipher = encryptAttachment(key, binding, plain);
    // Network-like pieces of odd sizes.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < cipher.length; at += 1_000_003) controller.enqueue(cipher.slice(at, at + 1_000_003));
        controller.close();
      },
    });
    const blob = await decryptResponseToBlob(new Response(stream), new AttachmentDecryptor(key, binding), "application/octet-stream");
    expect(blob.size).toBe(plain.length);
    const digest = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
    expect(digest(new Uint8Array(await blob.arrayBuffer()))).toBe(digest(plain));
  });

  it("fails on a truncated stream instead of saving a partial file", async () => {
    const binding = { reportId: "11111111-1111-4111-8111-111111111111", attachmentId: "22222222-2222-4222-8222-222222222222" };
    const key = generateFileKey();
    const cipher = encryptAttachment(key, binding, patternedBytes(200_000, "cut"));
    await expect(decryptResponseToBlob(new Response(cipher.slice(0, 150_000)), new AttachmentDecryptor(key, binding), "x")).rejects.toMatchObject({
      name: "CryptoError",
    }); // "decrypt_failed": a cut chunk cannot authenticate
  });
});
