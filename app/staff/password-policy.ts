// Staff passwords: long passphrases welcome, obviously weak ones refused.
// This is the quick floor; password-strength.ts adds zxcvbn's estimate.
const COMMON = new Set([
  "password",
  "password1",
  "password123",
  "passw0rd",
  "123456789012",
  "qwertyuiop",
  "iloveyou",
  "letmein",
  "welcome",
  "admin",
  "administrator",
  "okestro",
  "changeme",
  "12345678",
  "123456789",
  "1234567890",
  "qwerty123",
  "abc123456",
  "asdfghjkl",
  "zaq12wsx",
  "1q2w3e4r",
  "1q2w3e4r5t",
]);

/** Returns the reason a password is refused, or null if it is acceptable. */
export function checkPasswordStrength(password: string, context: string[] = []): string | null {
  const p = password.normalize("NFKC");
  if ([...p].length < 12) return "use at least 12 characters (a passphrase of several words is best)";
  if ([...p].length > 1024) return "use at most 1024 characters";
  const lower = p.toLowerCase();
  if (COMMON.has(lower) || COMMON.has(lower.replace(/[^a-z0-9]/g, ""))) return "this is a commonly used password";
  if (new Set(lower).size < 5) return "use more different characters";
  for (const c of context) {
    const local = c.toLowerCase().split("@")[0]!;
    if (local.length >= 4 && lower.includes(local)) return "do not include your email address";
  }
  return null;
}
