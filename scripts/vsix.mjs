// Reads a .vsix (a zip written by vsce) without a zip library: the entry list and the files under
// extension/, which are exactly what VS Code installs. Used by the vsix allow-list test and by the
// integration runner, which runs the suites against these shipped files.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { inflateRawSync } from 'node:zlib';

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_HEADER = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;

/** @returns {Array<{ name: string, read: () => Buffer }>} the entries, in the zip's order */
export function readVsix(file) {
  const zip = readFileSync(file);
  let end = -1;
  // The end record sits in the last 22 bytes plus a comment of at most 64 KiB.
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === END_OF_CENTRAL_DIRECTORY) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error(`${file} is not a zip file (no end of central directory)`);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries = [];
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(at) !== CENTRAL_HEADER) throw new Error(`${file}: bad central directory entry ${n}`);
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localOffset = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    const read = () => {
      if (zip.readUInt32LE(localOffset) !== LOCAL_HEADER) throw new Error(`${file}: bad local header for ${name}`);
      const start = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
      const data = zip.subarray(start, start + compressedSize);
      if (method === 0) return Buffer.from(data);
      if (method === 8) return inflateRawSync(data);
      throw new Error(`${file}: ${name} uses zip method ${method}`);
    };
    entries.push({ name, read });
  }
  return entries;
}

/** Writes the vsix's extension/ folder (the installed extension's files) into `dir`. */
export function extractExtension(file, dir) {
  let written = 0;
  for (const entry of readVsix(file)) {
    if (!entry.name.startsWith('extension/') || entry.name.endsWith('/')) continue;
    const rel = normalize(entry.name.slice('extension/'.length));
    if (rel.startsWith('..')) throw new Error(`${file}: entry ${entry.name} leaves the extension folder`);
    const target = join(dir, rel);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, entry.read());
    written++;
  }
  if (!written) throw new Error(`${file} has no extension/ folder`);
  return dir;
}
