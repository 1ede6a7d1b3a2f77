// Draws media/icon.png (128×128): a large container outline with a small solid one inside —
// the slim image keeps what matters. Run: node media/make-icon.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const N = 128;
const px = new Uint8Array(N * N * 4);
const bg = [0x1f, 0x5f, 0x8b];
const fg = [0xff, 0xff, 0xff];
const accent = [0x7c, 0xe3, 0xa1];

function inRoundRect(x, y, x0, y0, x1, y1, r) {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const cx = x < x0 + r ? x0 + r : x > x1 - r ? x1 - r : x;
  const cy = y < y0 + r ? y0 + r : y > y1 - r ? y1 - r : y;
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

for (let y = 0; y < N; y++) {
  for (let x = 0; x < N; x++) {
    const i = (y * N + x) * 4;
    // 4×4 supersampling for smooth edges
    let cov = 0, outline = 0, inner = 0;
    for (let sy = 0; sy < 4; sy++) {
      for (let sx = 0; sx < 4; sx++) {
        const fx = x + (sx + 0.5) / 4, fy = y + (sy + 0.5) / 4;
        if (!inRoundRect(fx, fy, 0, 0, N, N, 24)) continue;
        cov++;
        const ring = inRoundRect(fx, fy, 22, 30, 106, 104, 10) && !inRoundRect(fx, fy, 29, 37, 99, 97, 5);
        const lid = fy >= 22 && fy <= 30 && fx >= 34 && fx <= 94;
        if (ring || lid) outline++;
        else if (inRoundRect(fx, fy, 46, 56, 82, 86, 5)) inner++;
      }
    }
    const a = cov / 16;
    const o = outline / Math.max(cov, 1), n = inner / Math.max(cov, 1), b = 1 - o - n;
    for (let c = 0; c < 3; c++) px[i + c] = Math.round(bg[c] * b + fg[c] * o + accent[c] * n);
    px[i + 3] = Math.round(a * 255);
  }
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td) >>> 0);
  return Buffer.concat([len, td, crc]);
}

function crc32(buf) {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c;
}

const raw = Buffer.alloc(N * (N * 4 + 1));
for (let y = 0; y < N; y++) {
  raw[y * (N * 4 + 1)] = 0;
  Buffer.from(px.buffer, y * N * 4, N * 4).copy(raw, y * (N * 4 + 1) + 1);
}
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0);
ihdr.writeUInt32BE(N, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
writeFileSync(new URL('./icon.png', import.meta.url), png);
