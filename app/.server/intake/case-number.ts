// Case numbers staff and reporters can quote: random, so they reveal neither
// the order of reports nor how many there are. "COR-7K3M-Q9PX": 40 random bits.
import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

export function generateCaseNumber(): string {
  const bytes = randomBytes(5);
  let acc = 0n;
  for (const b of bytes) acc = (acc << 8n) | BigInt(b);
  let s = "";
  for (let i = 0; i < 8; i++) {
    s = ALPHABET[Number(acc & 31n)] + s;
    acc >>= 5n;
  }
  return `COR-${s.slice(0, 4)}-${s.slice(4)}`;
}

export const CASE_NUMBER_RE = /^COR-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;
