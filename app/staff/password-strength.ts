// The staff password policy, applied where the password is typed (browser, or
// the operator's CLI), since the server never sees it: the basic floor
// (password-policy.ts) and zxcvbn's estimate against common and breached-style
// passwords, names and the words of this organisation. Long passphrases pass.
import { checkPasswordStrength } from "./password-policy";

export const MIN_ZXCVBN_SCORE = 3;

let factory: Promise<{ check(p: string, inputs?: string[]): { score: number; feedback: { warning: string | null } } }> | null = null;

async function estimator() {
  factory ??= Promise.all([import("@zxcvbn-ts/core"), import("@zxcvbn-ts/language-common")]).then(
    ([core, common]) => new core.ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs }),
  );
  return factory;
}

/** Why the password is refused (English, for logs and the CLI), or null when it is acceptable. */
export async function passwordProblem(password: string, context: string[] = []): Promise<string | null> {
  const floor = checkPasswordStrength(password, context);
  if (floor) return floor;
  const words = ["okestro", "clean", "report", "ethics", ...context.flatMap((c) => c.toLowerCase().split(/[@.\s_-]+/))].filter((w) => w.length >= 3);
  const result = (await estimator()).check(password.normalize("NFKC"), words);
  if (result.score < MIN_ZXCVBN_SCORE) return "this password is too easy to guess; a passphrase of four or more unusual words is best";
  return null;
}
