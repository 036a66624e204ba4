// Limits shared by the reporter's browser (checks before encrypting) and the
// server (checks on ciphertext sizes). Character limits are on plaintext.
/** Header carrying an upload's capability token. */
export const UPLOAD_TOKEN_HEADER = "X-Upload-Token";

export const LIMITS = {
  titleChars: 200,
  descriptionChars: 20_000,
  detailsChars: 20_000,
  nameChars: 100,
  emailChars: 254,
  phoneChars: 40,
  /** Ciphertext byte ceilings derived from the character limits (UTF-8, JSON escaping, padding). */
  titleCtBytes: 4 * 1024,
  bodyCtBytes: 512 * 1024,
  identityCtBytes: 4 * 1024,
  fileMetaCtBytes: 4 * 1024,
  /** Largest JSON body the submission endpoint reads. */
  submissionBytes: 1024 * 1024,
  /** Plaintext bytes per upload part; a multiple of the 64 KiB secretstream chunk. */
  partPlainBytes: 8 * 1024 * 1024,
  fileNameChars: 255,
} as const;

/**
 * The largest ciphertext part the server accepts: a full part of padded body, its chunk tags, and
 * stream-v2's header and length chunk (25 + 25 bytes, part 0 only).
 */
export const MAX_PART_BYTES = LIMITS.partPlainBytes + (LIMITS.partPlainBytes / 65536) * 17 + 50;
