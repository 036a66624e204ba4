// Staff sign-in and the staff key ring, independent of React and of the
// platform (the browser uses it, and tests run it in Node). The password and
// the keys derived from it never leave this module; the server gets only the
// authentication key. The unlocked key pair lives in memory only.
import { fromBase64Url, loadSodium, toBase64Url, type ReportKey, type StaffKeyPair } from "../../crypto";
import {
  deriveStaffPasswordKeys,
  generateKdfSalt,
  parseRecoveryKey,
  recoveryProof,
  unwrapStaffSecretKey,
  wrapStaffSecretKey,
  type StaffPasswordKeys,
} from "../../crypto/staff";
import { withPowIfAsked, type PowOptions } from "../shared/pow-client";
import { apiFor, IntakeError, uploadEncryptedFile, type Api, type IntakeOptions, type Progress, type SourceFile } from "../shared/transport";

export { IntakeError as StaffApiError };
import type { StaffRole } from "../shared/wire";
export { fromBrowserFile } from "../shared/transport";

export interface StaffUser {
  id: string;
  email: string;
  displayName: string;
  role: StaffRole;
  affiliateId: string | null;
}

interface SignedInResponse {
  user: StaffUser;
  secretKeyWrapped: string;
  publicKey: string;
  recoveryCodes?: string[];
}

export interface TotpSetup {
  secret: string;
  uri: string;
  qrSvgDataUrl: string;
}

export class StaffClient {
  private readonly api: Api;
  private pendingKeys: StaffPasswordKeys | null = null;
  private keys: StaffKeyPair | null = null;
  user: StaffUser | null = null;

  constructor(readonly options: IntakeOptions = {}) {
    this.api = apiFor(options, "same-origin");
  }

  get keyPair(): StaffKeyPair | null {
    return this.keys;
  }

  /** The options of this client with `pow` (the page's status callback) over them. */
  private powOptions(pow: PowOptions): PowOptions {
    return { solvePow: pow.solvePow ?? this.options.solvePow, onPow: pow.onPow ?? this.options.onPow };
  }

  /**
   * Step one: the password, turned into keys here. Resolves to what comes next. Past a sign-in back-off that offers
   * it, the step is sent again with a solved proof of work (ADR 035); `pow.onPow` is told while it runs.
   */
  async signIn(email: string, password: string, pow: PowOptions = {}): Promise<"totp" | "totp_setup"> {
    await loadSodium();
    const pre = await this.api.call<{ salt: string; kdfVersion: number }>("POST", "/api/staff/prelogin", { json: { email } });
    const derived = await deriveStaffPasswordKeys(password, fromBase64Url(pre.salt));
    const r = await withPowIfAsked(this.api, this.powOptions(pow), (headers) =>
      this.api.call<{ next: "totp" | "totp_setup" }>("POST", "/api/staff/login", { json: { email, authKey: toBase64Url(derived.authKey) }, headers }),
    );
    this.pendingKeys = derived;
    return r.next;
  }

  beginTotpSetup(): Promise<TotpSetup> {
    return this.api.call<TotpSetup>("GET", "/api/staff/totp-setup");
  }

  /** Confirms the authenticator; resolves to the recovery codes, shown once. */
  async finishTotpSetup(code: string): Promise<string[]> {
    const r = await this.api.call<SignedInResponse>("POST", "/api/staff/totp-setup", { json: { code } });
    this.unlockWith(r);
    return r.recoveryCodes ?? [];
  }

  /**
   * Step two: a TOTP code or a recovery code. No proof of work goes past its back-off (ADR 035): a 429 here is the
   * account's own wait after wrong codes, and is thrown as it is.
   */
  async secondFactor(input: { code: string } | { recoveryCode: string }): Promise<StaffUser> {
    const r = await this.api.call<SignedInResponse>("POST", "/api/staff/second-factor", { json: input });
    this.unlockWith(r);
    return r.user;
  }

  private unlockWith(r: SignedInResponse): void {
    if (!this.pendingKeys) throw new IntakeError("no_password", "sign in with the password first");
    this.keys = unwrapStaffSecretKey(this.pendingKeys.wrapKey, r.user.id, fromBase64Url(r.secretKeyWrapped), "password");
    this.pendingKeys.wrapKey.fill(0);
    this.pendingKeys = null;
    this.user = r.user;
  }

  /** After a reload the session is still there but the keys are not: the password unlocks them again. */
  async unlock(password: string): Promise<StaffUser> {
    await loadSodium();
    const me = await this.api.call<{ user: StaffUser; kdfSalt: string; secretKeyWrapped: string }>("GET", "/api/staff/me");
    const { wrapKey } = await deriveStaffPasswordKeys(password, fromBase64Url(me.kdfSalt));
    try {
      this.keys = unwrapStaffSecretKey(wrapKey, me.user.id, fromBase64Url(me.secretKeyWrapped), "password");
    } catch (cause) {
      throw new IntakeError("wrong_password", "the password does not unlock your key", undefined, { cause });
    } finally {
      wrapKey.fill(0);
    }
    this.user = me.user;
    return me.user;
  }

  /** Re-wraps the private key under a new password; the key pair, and so access to cases, stays. */
  async changePassword(current: string, next: string): Promise<void> {
    await loadSodium();
    const me = await this.api.call<{ user: StaffUser; kdfSalt: string; secretKeyWrapped: string }>("GET", "/api/staff/me");
    const old = await deriveStaffPasswordKeys(current, fromBase64Url(me.kdfSalt));
    let keys: StaffKeyPair;
    try {
      keys = unwrapStaffSecretKey(old.wrapKey, me.user.id, fromBase64Url(me.secretKeyWrapped), "password");
    } catch (cause) {
      throw new IntakeError("wrong_password", "the current password does not unlock your key", undefined, { cause });
    }
    const fresh = await newPasswordKeys(me.user.id, next, keys);
    await this.api.call("POST", "/api/staff/password", { json: { currentAuthKey: toBase64Url(old.authKey), keys: fresh } });
  }

  async signOut(): Promise<void> {
    this.keys?.secretKey.fill(0);
    this.keys = null;
    this.user = null;
    await this.api.call("POST", "/api/staff/logout").catch(() => {});
  }

  /** A case action (app/staff/wire.ts caseOps). */
  caseOp<T = unknown>(reportId: string, op: string, body: unknown): Promise<T> {
    return this.api.call<T>("POST", `/api/staff/cases/${reportId}/${op}`, { json: body });
  }

  post<T = unknown>(path: string, body?: unknown): Promise<T> {
    return this.api.call<T>("POST", path, body === undefined ? {} : { json: body });
  }

  /** Encrypts and uploads files to a case under its report key, then attaches them. */
  async addFiles(reportId: string, reportKey: ReportKey, files: SourceFile[], onProgress?: (p: Progress) => void): Promise<void> {
    for (const [i, file] of files.entries()) {
      const encrypted = await uploadEncryptedFile(this.api, { path: `/api/staff/cases/${reportId}/uploads` }, reportId, reportKey, file, i, {
        ...this.options,
        onProgress,
      });
      await this.caseOp(reportId, "attachments", encrypted);
    }
  }

  get<T>(path: string): Promise<T> {
    return this.api.call<T>("GET", path);
  }

  /** A download; `headers` may ask for a `Range` (resuming one). */
  raw(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.api.raw("GET", path, headers);
  }
}

async function newPasswordKeys(userId: string, password: string, keys: StaffKeyPair) {
  const salt = generateKdfSalt();
  const derived = await deriveStaffPasswordKeys(password, salt);
  const wrapped = wrapStaffSecretKey(derived.wrapKey, userId, keys.secretKey, "password");
  derived.wrapKey.fill(0);
  return { kdfSalt: toBase64Url(salt), authKey: toBase64Url(derived.authKey), secretKeyWrapped: toBase64Url(wrapped) };
}

/**
 * Sets a new password with the recovery key shown at activation: the private
 * key is unwrapped with it here and wrapped under the new password. Both
 * requests go past a sign-in back-off with a proof of work (ADR 035;
 * `options.onPow` is told).
 */
export async function recoverWithKey(options: IntakeOptions, email: string, recoveryKeyText: string, password: string): Promise<void> {
  await loadSodium();
  const api = apiFor(options, "same-origin");
  const recovery = parseRecoveryKey(recoveryKeyText);
  const material = await withPowIfAsked(api, options, (headers) =>
    api.call<{ userId: string; secretKeyRecoveryWrapped: string }>("POST", "/api/staff/recover", { json: { email }, headers }),
  );
  let keys: StaffKeyPair;
  try {
    keys = unwrapStaffSecretKey(recovery, material.userId, fromBase64Url(material.secretKeyRecoveryWrapped), "recovery");
  } catch (cause) {
    throw new IntakeError("invalid_recovery", "the email address or recovery key is not right", undefined, { cause });
  }
  const fresh = await newPasswordKeys(material.userId, password, keys);
  keys.secretKey.fill(0);
  const reset = { email, recoveryProof: toBase64Url(recoveryProof(recovery)), keys: fresh };
  await withPowIfAsked(api, options, (headers) => api.call("POST", "/api/staff/recover", { json: reset, headers }));
}

/** The browser's one staff client: its key ring survives client-side navigation, not reloads. */
let browserClient: StaffClient | null = null;
export function staffClient(): StaffClient {
  browserClient ??= new StaffClient();
  return browserClient;
}
