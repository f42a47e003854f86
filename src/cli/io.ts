/** What a command reads and writes, handed in so a test can run a command in-process. */
export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Writes to standard output; a newline is added. */
  out(line: string): void;
  /** Writes to standard error; a newline is added. */
  err(line: string): void;
  /** The text of a file, or of standard input for `-`. */
  readText(path: string): Promise<string>;
  writeFile(path: string, data: string | Uint8Array): Promise<void>;
}

/** Exit codes: 0 done; 1 the mail was not sent, or no mail would be; 2 bad usage or invalid settings. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * A command line that cannot be run as given; its message is printed with a
 * pointer to `--help`, and the exit code is 2.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError' as const;
}
