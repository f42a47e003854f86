/**
 * Stack lines sorted by whose code they are, so a reader sees the
 * application's own frames first and the rest dimmed.
 */

/** Whose code a stack line points at; `text` for lines that are not frames (the message). */
export type FrameKind = 'app' | 'dependency' | 'runtime' | 'text';

/** One line of a stack with its kind. */
export interface StackLine {
  readonly text: string;
  readonly kind: FrameKind;
}

// Node's own modules, V8 built-ins and the Lambda runtime's bootstrap (/var/runtime on every Node.js image).
const RUNTIME =
  /\(node:|^at node:|\(<anonymous>\)|^at <anonymous>|\(index \d+\)|^at async Promise\.|\/var\/runtime\/|^at new Promise \(/;
// Installed packages (node_modules, layers under /opt/nodejs) and this library, wherever it is bundled from.
const DEPENDENCY = /node_modules|\/opt\/nodejs\/|lambda-error-mail/;

/** The kind of one stack line, judged on its trimmed text. */
export function frameKind(line: string): FrameKind {
  const frame = line.trim();
  if (!frame.startsWith('at ')) return 'text';
  if (RUNTIME.test(frame)) return 'runtime';
  if (DEPENDENCY.test(frame)) return 'dependency';
  return 'app';
}

/** Every line of a stack with its kind. */
export function stackLines(stack: string): StackLine[] {
  return stack.split('\n').map((text) => ({ text, kind: frameKind(text) }));
}

/**
 * The first frame of a stack that is the application's own, without the
 * leading `at `; `undefined` when every frame is a dependency's or Node's.
 */
export function firstAppFrameLine(stack: string | undefined): string | undefined {
  if (stack === undefined) return undefined;
  for (const line of stack.split('\n')) {
    if (frameKind(line) === 'app') return line.trim().slice(3);
  }
  return undefined;
}
