import { FunctionEnvError } from './serverless-stage.js';

/**
 * The variables of a dotenv file. One `NAME=VALUE` a line, `export ` before it allowed; blank lines
 * and lines starting with `#` are skipped. A value is taken as written, spaces around it trimmed, up
 * to a ` #` comment; in single quotes it is literal; in double quotes `\n`, `\t`, `\"` and `\\` are
 * escapes. Refused, with a {@link FunctionEnvError} naming `file:line`: a line that is not one of
 * those, a name that is not `[A-Za-z_][A-Za-z0-9_]*`, a quote that does not close on its line (a value
 * over several lines), text after the closing quote, and a name given twice. `$NAME` is not expanded.
 *
 * @example
 * parseEnvFile('export ADMINS="ops@example.com"\nDEBUG=false # for now\n', '.env');
 * // { ADMINS: 'ops@example.com', DEBUG: 'false' }
 */
export function parseEnvFile(text: string, file: string): Record<string, string> {
  const env: Record<string, string> = {};
  const seen = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const refuse = (why: string) => new FunctionEnvError(`${file}:${line}: ${why}`);
    const body = raw.trim();
    if (body === '' || body.startsWith('#')) return;
    const match = /^(?:export\s+)?([^=\s]+)\s*=\s*(.*)$/.exec(body);
    if (match === null) throw refuse('expected NAME=VALUE (the line is not shown: it may hold a secret)');
    const [, name = '', rest = ''] = match;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw refuse(
        `${JSON.stringify(name)} is not a variable name (letters, digits and _, not starting with a digit)`,
      );
    }
    const first = seen.get(name);
    if (first !== undefined) throw refuse(`${name} is set again (first on line ${first})`);
    seen.set(name, line);
    env[name] = unquote(rest, refuse);
  });
  return env;
}

function unquote(rest: string, refuse: (why: string) => FunctionEnvError): string {
  const quote = rest[0];
  if (quote !== '"' && quote !== "'") {
    if (rest.startsWith('`')) throw refuse('backquoted values are not read; use single or double quotes');
    return rest.replace(/(^|\s+)#.*$/, '').trim();
  }
  let value = '';
  for (let i = 1; i < rest.length; i++) {
    const c = rest[i] as string;
    if (c === quote) {
      const after = rest.slice(i + 1).trim();
      if (after !== '' && !after.startsWith('#')) {
        throw refuse('text after the closing quote');
      }
      return value;
    }
    if (quote === '"' && c === '\\') {
      const next = rest[++i];
      const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' };
      value += next !== undefined && next in escapes ? escapes[next] : `\\${next ?? ''}`;
      continue;
    }
    value += c;
  }
  throw refuse('the quote does not close on its line (values over several lines are not read)');
}
