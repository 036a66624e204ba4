// Schema pieces every wire format uses (intake, follow-up, staff), validated
// on the server: ids as lower-case UUIDs, binary fields as unpadded
// base64url, decoded to bytes.
import { z } from "zod";
import { fromBase64Url, isUuid } from "../../crypto/encoding";

export const uuid = z.string().refine(isUuid, "must be a lower-case UUID").describe("a lower-case UUID");

/** base64url bytes between `min` and `max` long, decoded. */
export function b64(min: number, max: number) {
  return z
    .string()
    .max(Math.ceil((max * 4) / 3) + 4)
    .transform((text, ctx) => {
      try {
        const bytes = fromBase64Url(text);
        if (bytes.length < min || bytes.length > max) {
          ctx.addIssue({ code: "custom", message: `must decode to ${min}..${max} bytes` });
          return z.NEVER;
        }
        return bytes;
      } catch {
        ctx.addIssue({ code: "custom", message: "must be unpadded base64url" });
        return z.NEVER;
      }
    })
    .describe(min === max ? `unpadded base64url of ${min} bytes` : `unpadded base64url of ${min} to ${max} bytes`);
}

/**
 * Unpadded base64url of exactly `bytes` bytes, kept as text (staff key material, stored as sent). A text of the
 * right length that is not canonical base64url is refused here (400 `invalid_request`), not where it is decoded.
 */
export function b64Text(bytes: number) {
  return z
    .string()
    .length(Math.ceil((bytes * 4) / 3))
    .refine((text) => {
      try {
        return fromBase64Url(text).length === bytes;
      } catch {
        return false;
      }
    }, "must be unpadded base64url")
    .describe(`unpadded base64url of ${bytes} bytes`);
}
