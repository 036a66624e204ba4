// Branded byte types: a report key cannot be passed where a file key is
// expected, and a ciphertext cannot be mistaken for a plaintext. Brands exist
// only at compile time; at run time every value is a Uint8Array.
declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** 32-byte key for reporter-visible content of one report. */
export type ReportKey = Brand<Uint8Array, "ReportKey">;
/** 32-byte key for investigator-only content of one report (notes, triage). */
export type CaseKey = Brand<Uint8Array, "CaseKey">;
/** 32-byte key of the reporter's identity record, wrapped under the report key; the server gives an investigator the wrap only after a recorded reason (ADR 052). */
export type IdentityKey = Brand<Uint8Array, "IdentityKey">;
/** 32-byte secretstream key for one attachment. */
export type FileKey = Brand<Uint8Array, "FileKey">;
/** 32-byte key derived from a receipt code that wraps the reporter's report key. */
export type ReceiptWrapKey = Brand<Uint8Array, "ReceiptWrapKey">;
/** 32-byte value derived from a receipt code; the only thing the server sees of it. */
export type ReceiptLookup = Brand<Uint8Array, "ReceiptLookup">;
/** X25519 public key of a staff member. */
export type StaffPublicKey = Brand<Uint8Array, "StaffPublicKey">;
/** X25519 secret key of a staff member: never leaves their browser unwrapped. */
export type StaffSecretKey = Brand<Uint8Array, "StaffSecretKey">;
/** 32-byte key derived from a staff password that wraps their secret key. */
export type PasswordWrapKey = Brand<Uint8Array, "PasswordWrapKey">;
/** 32-byte value derived from a staff password, sent to the server as the login secret. */
export type PasswordAuthKey = Brand<Uint8Array, "PasswordAuthKey">;
/** 32-byte recovery key shown once to a staff member. */
export type RecoveryKey = Brand<Uint8Array, "RecoveryKey">;

/** 32-byte key of one version of a share with an affiliate: its package and file-key wraps. */
export type ShareKey = Brand<Uint8Array, "ShareKey">;
/** 32-byte key of one archived case: its package and file-key wraps, sealed to the administrators. */
export type ArchiveKey = Brand<Uint8Array, "ArchiveKey">;
/** 32-byte key of a share's feedback thread, stable across the share's versions. */
export type FeedbackKey = Brand<Uint8Array, "FeedbackKey">;

/** Versioned XChaCha20-Poly1305 record ciphertext (format "aead-v1"). */
export type RecordCiphertext = Brand<Uint8Array, "RecordCiphertext">;
/** Versioned sealed box holding a report's keys for one staff member ("envelope-v1"). */
export type SealedEnvelope = Brand<Uint8Array, "SealedEnvelope">;
/** Versioned sealed box holding a share key for one affiliate reviewer ("envelope-v1", kind 0x02). */
export type SealedShareEnvelope = Brand<Uint8Array, "SealedShareEnvelope">;
/** Versioned sealed box holding an archive key for one administrator ("envelope-v1", kind 0x03). */
export type SealedArchiveEnvelope = Brand<Uint8Array, "SealedArchiveEnvelope">;
/** Bytes of a versioned secretstream attachment ("stream-v1"), or a slice of them. */
export type StreamCiphertext = Brand<Uint8Array, "StreamCiphertext">;

export interface StaffKeyPair {
  publicKey: StaffPublicKey;
  secretKey: StaffSecretKey;
}
