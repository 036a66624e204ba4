// Reading a zip within bounds (ADR 045), for Office Open XML documents: the central directory is
// read by hand (entry count, declared sizes, offsets, each checked against the file), and each
// entry is inflated by fflate in small steps, stopping as soon as it yields more than it declared
// or than the whole budget allows, so neither a lying size nor a zip bomb costs more than the
// budget in memory or time. Every entry's CRC-32 is checked.
import { Inflate } from "fflate";
import { crc32 } from "./crc32";
import { latin1, MalformedFile, TooLargeToClean } from "./findings";

export interface ZipLimits {
  entries: number;
  unpackedBytes: number;
}

/** Compressed bytes given to the inflater at a time: at most ~1032 times as many come out of one step. */
const STEP = 16 * 1024;

interface Entry {
  name: string;
  method: number;
  crc: number;
  compressed: number;
  size: number;
  local: number;
}

function directory(b: Uint8Array, limits: ZipLimits): Entry[] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let eocd = -1;
  for (let i = b.length - 22; i >= Math.max(0, b.length - 22 - 0xffff); i--) {
    if (v.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new MalformedFile("no end of central directory");
  const count = v.getUint16(eocd + 10, true);
  const at0 = v.getUint32(eocd + 16, true);
  if (count === 0xffff || at0 === 0xffffffff) throw new TooLargeToClean("zip64");
  if (count > limits.entries) throw new TooLargeToClean("too many zip entries");
  const entries: Entry[] = [];
  let at = at0;
  let declared = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > b.length || v.getUint32(at, true) !== 0x02014b50) throw new MalformedFile("bad central directory entry");
    const flags = v.getUint16(at + 8, true);
    if (flags & 1) throw new MalformedFile("encrypted zip entry");
    const nameLength = v.getUint16(at + 28, true);
    const next = at + 46 + nameLength + v.getUint16(at + 30, true) + v.getUint16(at + 32, true);
    if (next > b.length) throw new MalformedFile("central directory runs past the end");
    const entry: Entry = {
      name: flags & 0x800 ? new TextDecoder().decode(b.subarray(at + 46, at + 46 + nameLength)) : latin1(b.subarray(at + 46, at + 46 + nameLength)),
      method: v.getUint16(at + 10, true),
      crc: v.getUint32(at + 16, true),
      compressed: v.getUint32(at + 20, true),
      size: v.getUint32(at + 24, true),
      local: v.getUint32(at + 42, true),
    };
    declared += entry.size;
    if (declared > limits.unpackedBytes) throw new TooLargeToClean("zip unpacks too large");
    if (entry.method !== 0 && entry.method !== 8) throw new MalformedFile(`compression method ${entry.method}`);
    entries.push(entry);
    at = next;
  }
  return entries;
}

function inflateBounded(data: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  let done = false;
  const inflater = new Inflate((chunk, final) => {
    if (at + chunk.length > size) throw new MalformedFile("zip entry larger than it declares");
    out.set(chunk, at);
    at += chunk.length;
    if (final) done = true;
  });
  for (let i = 0; i < data.length && !done; i += STEP) inflater.push(data.subarray(i, i + STEP), i + STEP >= data.length);
  if (at !== size) throw new MalformedFile("zip entry smaller than it declares");
  return out;
}

/** The entries of a zip, in the central directory's order, unpacked. Throws MalformedFile or TooLargeToClean. */
export function readZip(b: Uint8Array, limits: ZipLimits): { name: string; data: Uint8Array }[] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return directory(b, limits).map((e) => {
    if (e.local + 30 > b.length || v.getUint32(e.local, true) !== 0x04034b50) throw new MalformedFile("bad local header");
    const start = e.local + 30 + v.getUint16(e.local + 26, true) + v.getUint16(e.local + 28, true);
    if (start + e.compressed > b.length) throw new MalformedFile("zip entry runs past the end");
    const raw = b.subarray(start, start + e.compressed);
    let data: Uint8Array;
    if (e.method === 0) {
      if (e.compressed !== e.size) throw new MalformedFile("stored entry sizes differ");
      data = raw;
    } else {
      try {
        data = inflateBounded(raw, e.size);
      } catch (cause) {
        if (cause instanceof MalformedFile) throw cause;
        throw new MalformedFile("zip entry could not be inflated", { cause });
      }
    }
    if (crc32(data) !== e.crc) throw new MalformedFile("zip entry's CRC-32 does not match");
    return { name: e.name, data };
  });
}
