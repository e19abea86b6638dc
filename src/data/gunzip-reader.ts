import { createReadStream } from 'node:fs';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DataError, fileError } from './errors.js';

/**
 * Sequential reads from a gzip file, inflating only as far as needed: memory stays at one
 * zlib chunk plus the bytes asked for. Call `close` to stop early.
 */
export class GunzipReader {
  private readonly stream: Readable;
  private readonly chunks: AsyncIterator<Buffer>;
  private chunk: Buffer = Buffer.alloc(0);
  private offset = 0; // within `chunk`
  private position = 0; // decompressed bytes consumed so far

  /** `expectedBytes`, when known, only improves the message for a stream that ends early. */
  constructor(
    readonly file: string,
    private readonly expectedBytes?: number,
  ) {
    // pipeline forwards a read error (missing file) into the gunzip stream and destroys both on close.
    this.stream = pipeline(createReadStream(file), createGunzip(), () => {});
    this.chunks = this.stream[Symbol.asyncIterator]();
  }

  /** The next `length` decompressed bytes, in a fresh buffer. */
  async read(length: number): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    await this.consume(length, out);
    return out;
  }

  /** Discards the next `length` decompressed bytes. */
  skip(length: number): Promise<void> {
    return this.consume(length);
  }

  close(): void {
    this.stream.destroy();
  }

  private async consume(length: number, out?: Uint8Array): Promise<void> {
    let done = 0;
    while (done < length) {
      if (this.offset === this.chunk.length) {
        this.chunk = await this.nextChunk(length - done);
        this.offset = 0;
      }
      const n = Math.min(length - done, this.chunk.length - this.offset);
      out?.set(this.chunk.subarray(this.offset, this.offset + n), done);
      this.offset += n;
      this.position += n;
      done += n;
    }
  }

  private async nextChunk(stillNeeded: number): Promise<Buffer> {
    let next: IteratorResult<Buffer>;
    try {
      next = await this.chunks.next();
    } catch (error) {
      throw gzipError(this.file, error);
    }
    if (next.done) {
      const expected = this.expectedBytes ?? this.position + stillNeeded;
      throw new DataError(
        `${this.file} is truncated: its decompressed data ends after ${this.position} bytes but ${expected} are needed; download it again`,
      );
    }
    return next.value;
  }
}

function gzipError(file: string, error: unknown): DataError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && code.startsWith('Z_')) {
    const reason = error instanceof Error ? error.message : String(error);
    return new DataError(`corrupt gzip stream in ${file} (${reason}); the file is damaged or incomplete, download it again`);
  }
  return fileError(file, error);
}
