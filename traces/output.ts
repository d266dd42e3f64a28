// Where a trace writer's text goes: written out in chunks as the run goes, so a long run's trace is never held
// in memory whole. The command line opens files with it (cli/main.ts); tests collect the text.

export interface TextOutput {
  write(text: string): void;
  /** Write what is buffered and close. */
  close(): void;
}

/** Chunk size at which buffered text is handed on. */
const CHUNK_CHARS = 1 << 16;

/** Buffers small writes and hands them to `flush` in chunks of about 64 K characters. */
export class ChunkedOutput implements TextOutput {
  /** Appending to a string is cheaper here than collecting an array to join. */
  private buffered = '';

  constructor(
    private readonly flushChunk: (chunk: string) => void,
    private readonly onClose: () => void = () => {},
  ) {}

  write(text: string): void {
    this.buffered += text;
    if (this.buffered.length >= CHUNK_CHARS) this.flush();
  }

  close(): void {
    this.flush();
    this.onClose();
  }

  private flush(): void {
    if (this.buffered.length === 0) return;
    const chunk = this.buffered;
    this.buffered = '';
    this.flushChunk(chunk);
  }
}

/** Collects everything written, for tests and for callers that want the whole text. */
export class StringOutput implements TextOutput {
  private readonly parts: string[] = [];
  closed = false;

  write(text: string): void {
    this.parts.push(text);
  }

  close(): void {
    this.closed = true;
  }

  text(): string {
    return this.parts.join('');
  }
}
