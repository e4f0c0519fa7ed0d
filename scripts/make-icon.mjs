// Writes media/icons/gatehouse.png (128x128): the gatehouse arch on a dark rounded tile.
// Pure Node (zlib) so it runs anywhere; run again after changing the shape.
import { deflateSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';

const S = 128;
const px = Buffer.alloc(S * S * 4);
const set = (x, y, [r, g, b, a]) => {
  if (x < 0 || y < 0 || x >= S || y >= S) return;
  const i = (y * S + x) * 4;
  px[i] = r; px[i + 1] = g; px[i + 2] = b; px[i + 3] = a;
};
const bg = [30, 41, 59, 255];
const fg = [125, 211, 252, 255];
const accent = [251, 191, 36, 255];
for (let y = 0; y < S; y++)
  for (let x = 0; x < S; x++) {
    const r = 22; // rounded corners
    const cx = x < r ? r : x > S - 1 - r ? S - 1 - r : x;
    const cy = y < r ? r : y > S - 1 - r ? S - 1 - r : y;
    if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) set(x, y, bg);
  }
const rect = (x0, y0, x1, y1, c) => { for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) set(x, y, c); };
rect(22, 44, 40, 104, fg); // left tower
rect(88, 44, 106, 104, fg); // right tower
rect(40, 56, 88, 104, fg); // wall
for (let x = 22; x < 106; x += 12) rect(x, 36, x + 7, 44, fg); // battlements
// the gate: an arch cut out of the wall
for (let y = 66; y < 104; y++) for (let x = 50; x < 78; x++) {
  const inArch = y >= 80 || (x - 64) ** 2 + (y - 80) ** 2 <= 14 * 14;
  if (inArch) set(x, y, bg);
}
rect(62, 84, 66, 104, accent); // keyhole light
rect(16, 104, 112, 108, fg); // ground

const raw = Buffer.alloc((S * 4 + 1) * S);
for (let y = 0; y < S; y++) { raw[y * (S * 4 + 1)] = 0; px.copy(raw, y * (S * 4 + 1) + 1, y * S * 4, (y + 1) * S * 4); }
const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
const crc = (buf) => { let c = 0xffffffff; for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
const chunk = (type, data) => { const len = Buffer.alloc(4); len.writeUInt32BE(data.length); const td = Buffer.concat([Buffer.from(type), data]); const c = Buffer.alloc(4); c.writeUInt32BE(crc(td)); return Buffer.concat([len, td, c]); };
const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(S, 0); ihdr.writeUInt32BE(S, 4); ihdr[8] = 8; ihdr[9] = 6;
writeFileSync('media/icons/gatehouse.png', Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]));
