import { vi } from 'vitest';

/** Runs `call` and returns what it resolved to (or threw) and the JSON records the default log wrote. */
export async function logged(call: () => Promise<unknown>) {
  const lines: string[] = [];
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  let outcome: unknown;
  try {
    outcome = await call().catch((error: unknown) => error);
  } finally {
    write.mockRestore();
  }
  const records = lines
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { outcome, records };
}
