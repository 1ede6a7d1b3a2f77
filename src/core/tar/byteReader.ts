import type { Readable } from 'node:stream';

/**
 * Pulls exact byte counts out of a stream without copying more than needed: the tar
 * reader asks for 512-byte headers and for bodies it forwards chunk by chunk.
 */
export class ByteReader {
  private readonly source: AsyncIterator<Buffer>;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private ended = false;
  /** Bytes consumed so far (for error messages). */
  offset = 0;

  constructor(stream: Readable) {
    this.source = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  private async fill(min: number): Promise<boolean> {
    while (this.pendingBytes < min && !this.ended) {
      const next = await this.source.next();
      if (next.done) {
        this.ended = true;
        break;
      }
      const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
      if (chunk.length === 0) continue;
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
    }
    return this.pendingBytes >= min;
  }

  /** Exactly n bytes, or null at a clean end of stream (no bytes left). */
  async read(n: number): Promise<Buffer | null> {
    // A zero-size PAX/GNU header body: nothing to take (and pending[0] may not exist).
    if (n === 0) return Buffer.alloc(0);
    if (!(await this.fill(n))) {
      if (this.pendingBytes === 0) return null;
      throw new Error(`truncated tar stream at byte ${this.offset}: wanted ${n}, have ${this.pendingBytes}`);
    }
    let out: Buffer;
    const first = this.pending[0]!;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.pending.shift();
      else this.pending[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let at = 0;
      while (at < n) {
        const head = this.pending[0]!;
        const take = Math.min(head.length, n - at);
        head.copy(out, at, 0, take);
        at += take;
        if (take === head.length) this.pending.shift();
        else this.pending[0] = head.subarray(take);
      }
    }
    this.pendingBytes -= n;
    this.offset += n;
    return out;
  }

  /** Yields the next n bytes as they arrive, in pieces, without gathering them. */
  async *pieces(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.pendingBytes === 0 && !(await this.fill(1))) {
        throw new Error(`truncated tar stream at byte ${this.offset}: ${left} bytes of a body missing`);
      }
      const head = this.pending[0]!;
      const take = Math.min(head.length, left);
      const piece = head.subarray(0, take);
      if (take === head.length) this.pending.shift();
      else this.pending[0] = head.subarray(take);
      this.pendingBytes -= take;
      this.offset += take;
      left -= take;
      yield piece;
    }
  }

  async skip(n: number): Promise<void> {
    for await (const _ of this.pieces(n)) {
      // discard
    }
  }
}
