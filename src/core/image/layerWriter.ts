import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';

/** Size of the staging buffer the layer is written from. */
const STAGE_BYTES = 1024 * 1024;

/**
 * Hashes and writes the slim layer through one staging buffer; tar entries arrive as many
 * small buffers. They are copied, never kept: a header or a small file's body is a view into
 * a whole chunk of the export stream (up to 64 KiB), so keeping the views until a batch is
 * full kept every chunk they came from alive — when the kept files lie sparse in the
 * export, many times the batch size. Memory stays at the staging buffer, whatever is kept.
 */
export class LayerWriter {
  private readonly hash: Hash = createHash('sha256');
  private readonly stage = Buffer.allocUnsafe(STAGE_BYTES);
  private staged = 0;
  size = 0;

  private constructor(private readonly file: FileHandle) {}

  static async create(path: string): Promise<LayerWriter> {
    return new LayerWriter(await open(path, 'w', 0o600));
  }

  async write(buf: Buffer): Promise<void> {
    if (buf.length === 0) return;
    this.hash.update(buf);
    this.size += buf.length;
    for (let at = 0; at < buf.length; ) {
      const take = Math.min(buf.length - at, STAGE_BYTES - this.staged);
      buf.copy(this.stage, this.staged, at, at + take);
      this.staged += take;
      at += take;
      if (this.staged === STAGE_BYTES) await this.flush();
    }
  }

  private async flush(): Promise<void> {
    // write may write less than asked (a disk filling up): write the rest until done, so a
    // full disk ends in ENOSPC rather than in a silently truncated layer.
    for (let offset = 0; offset < this.staged; ) {
      const step = (await this.file.write(this.stage, offset, this.staged - offset)).bytesWritten;
      if (step === 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      offset += step;
    }
    this.staged = 0;
  }

  /** Finishes the file and returns the sha256 of everything written (hex). */
  async close(): Promise<string> {
    await this.flush();
    await this.file.close();
    return this.hash.digest('hex');
  }

  async abort(): Promise<void> {
    this.staged = 0;
    await this.file.close().catch(() => undefined);
  }
}
