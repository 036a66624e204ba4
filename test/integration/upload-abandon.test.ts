// Abandoning an upload (DELETE, what the report form's Cancel sends) while one
// of its parts is being written: the part may create or write the blob after
// the abandon removed it, and must then remove it itself, leaving nothing for
// cleanup. The real blob store is used, only held at its door so that the
// abandon lands before the part's first byte.
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { abortUpload, createUpload, writeUploadPart } from "../../app/.server/intake/intake";
import type { BlobStore } from "../../app/.server/platform/blob-store";
import { ApiError } from "../../app/.server/platform/http";
import { uploads } from "../../db/schema";
import { backends } from "../support/backends";
import { startTestPortal, type TestPortal } from "../support/portal";

for (const backend of await backends()) {
  describe(`abandoning an upload on ${backend}`, () => {
    let portal: TestPortal;

    beforeAll(async () => {
      portal = await startTestPortal(backend);
    });
    afterAll(async () => {
      await portal?.stop();
    });

    /** The portal's services with a blob store whose `writeAt` waits at the door until `open()`. */
    function heldAtWrite() {
      let arrived!: () => void;
      const atDoor = new Promise<void>((r) => (arrived = r));
      let open!: () => void;
      const gate = new Promise<void>((r) => (open = r));
      const real = portal.services.blobs;
      const blobs: BlobStore = Object.create(real);
      blobs.writeAt = async (...args) => {
        arrived();
        await gate;
        return real.writeAt(...args);
      };
      return { services: { ...portal.services, blobs }, atDoor, open };
    }

    for (const outcome of ["written", "broken off"] as const) {
      it(`a part ${outcome} after its upload was abandoned leaves no bytes behind`, async () => {
        const s = portal.services;
        const u = await createUpload(s, { reportId: crypto.randomUUID(), ciphertextBytes: 1000, for: "new", clientKey: "test-abandon" });
        const held = heldAtWrite();
        const body =
          outcome === "written"
            ? Readable.from([Buffer.alloc(400, 7)])
            : new Readable({
                read() {
                  this.push(Buffer.alloc(100, 7));
                  this.destroy(new Error("the reporter's browser aborted the request"));
                },
              });
        const part = writeUploadPart(held.services, u.uploadId, u.token, 0, body, null).then(
          () => null,
          (e: unknown) => e,
        );
        await held.atDoor;
        await abortUpload(s, u.uploadId, u.token);
        expect(await s.db.select().from(uploads)).toEqual([]);
        held.open();
        const error = await part;
        expect(error).toBeInstanceOf(ApiError);
        expect((error as ApiError).status).toBe(outcome === "written" ? 409 : 400);
        expect(await s.blobs.size(`upload-${u.uploadId}`)).toBeNull();
      });
    }
  });
}
