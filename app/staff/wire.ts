// Wire format of the staff API (validated on the server; the browser imports types only).
import { z } from "zod";
import { b64, uuid } from "../intake/wire";

export const preloginRequest = z.object({ email: z.string().min(3).max(254) });
export const loginRequest = z.object({ email: z.string().min(3).max(254), authKey: b64(32, 32) });
export const secondFactorRequest = z.union([
  z.object({ code: z.string().regex(/^\d{6}$/, "six digits") }),
  z.object({ recoveryCode: z.string().min(10).max(40) }),
]);
export const totpCodeRequest = z.object({ code: z.string().regex(/^\d{6}$/, "six digits") });

export const caseOps = {
  status: z.object({
    to: z.enum(["acknowledged", "in_review", "investigating", "closed"]),
    outcome: z.enum(["substantiated", "partly_substantiated", "not_substantiated", "insufficient_information", "referred"]).optional(),
    summary: z.object({ id: uuid, body: b64(41, 64 * 1024) }).optional(),
  }),
  assign: z.object({ assigneeId: uuid.nullable() }),
  priority: z.object({ priority: z.enum(["low", "normal", "high", "urgent"]) }),
  labels: z.object({ labels: b64(41, 8 * 1024) }),
  notes: z.object({ id: uuid, body: b64(41, 64 * 1024) }),
  messages: z.object({ id: uuid, body: b64(41, 64 * 1024) }),
  "privacy-answer": z.object({ requestId: uuid, answer: b64(41, 64 * 1024) }),
  events: z.object({ event: z.enum(["decrypted", "downloaded", "exported"]), subject: z.string().max(100).optional() }),
  grants: z.object({ granteeId: uuid, envelope: b64(130, 130) }),
  uploads: z.object({ ciphertextBytes: z.number().int().min(42) }),
  attachments: z.object({ uploadId: uuid, meta: b64(41, 4 * 1024), fileKey: b64(89, 89) }),
} as const;
export type CaseOp = keyof typeof caseOps;
export type CaseOpInput<K extends CaseOp> = z.input<(typeof caseOps)[K]>;
