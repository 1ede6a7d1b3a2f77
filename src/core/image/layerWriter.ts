import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';

/** Hashes and writes the slim layer in large batches; tar entries arrive as many small buffers. */
export class LayerWriter {
  private readonly hash: Hash = createHash('sha256');
  private batch: Buffer[] = [];
  private batchBytes = 0;
  size = 0;

  private constructor(private readonly file: FileHandle) {}

  static async create(path: string): Promise<LayerWriter> {
    return new LayerWriter(await open(path, 'w', 0o600));
  }

  async write(buf: Buffer): Promise<void> {
    if (buf.length === 0) return;
    this.hash.update(buf);
    this.batch.push(buf);
    this.batchBytes += buf.length;
    this.size += buf.length;
    if (this.batchBytes >= 4 * 1024 * 1024) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    const pending = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    await this.file.writev(pending);
  }

  /** Finishes the file and returns the sha256 of everything written (hex). */
  async close(): Promise<string> {
    await this.flush();
    await this.file.close();
    return this.hash.digest('hex');
  }

  async abort(): Promise<void> {
    this.batch = [];
    await this.file.close().catch(() => undefined);
  }
}
