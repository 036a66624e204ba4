import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { TestPortal } from "./portal";

export const PASSWORD = "correct horse battery staple 42";

/** Creates a staff account through the CLI command, as an operator would. */
export async function createStaff(
  portal: TestPortal,
  role: "admin" | "investigator" | "affiliate",
  email: string,
  extra: string[] = [],
): Promise<{ id: string; output: string }> {
  const file = path.join(portal.dataDir, `pw-${email}.txt`);
  await writeFile(file, `${PASSWORD}\n`);
  const output = await portal.cli("user:create", "--role", role, "--email", email, "--password-file", file, ...extra);
  const id = /\(id ([0-9a-f-]{36})\)/.exec(output)?.[1];
  if (!id) throw new Error(`user:create printed no id: ${output}`);
  return { id, output };
}
