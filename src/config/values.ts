/**
 * Parses Django-style booleans: true/false, 1/0, yes/no, on/off, any case.
 * @example
 * parseBoolean(' Yes '); // true
 * parseBoolean('maybe'); // undefined
 */
export function parseBoolean(raw: string): boolean | undefined {
  switch (raw.trim().toLowerCase()) {
    case 'true':
    case '1':
    case 'yes':
    case 'on':
      return true;
    case 'false':
    case '0':
    case 'no':
    case 'off':
      return false;
    default:
      return undefined;
  }
}

/**
 * Parses a list: a JSON array of strings when the value starts with `[`,
 * otherwise comma-separated. Commas inside double quotes or angle brackets do
 * not split, so `"Ng, Mary" <mary@example.com>` stays one entry.
 * @example
 * parseList('ops@example.com, "Ng, Mary" <mary@example.com>'); // two entries
 * parseList('["^/a{1,3}$"]'); // ['^/a{1,3}$']
 */
export function parseList(raw: string): string[] | undefined {
  const text = raw.trim();
  if (text.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return undefined;
    }
    if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) return undefined;
    return parsed.map((item: string) => item.trim()).filter((item) => item !== '');
  }
  const items: string[] = [];
  let current = '';
  let inQuotes = false;
  let inAngle = false;
  for (const ch of text) {
    if (ch === '"' && !inAngle) inQuotes = !inQuotes;
    else if (ch === '<' && !inQuotes) inAngle = true;
    else if (ch === '>' && !inQuotes) inAngle = false;
    if (ch === ',' && !inQuotes && !inAngle) {
      items.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  items.push(current);
  return items.map((item) => item.trim()).filter((item) => item !== '');
}

// A bare address: something@something, no spaces, quotes, brackets or commas.
const BARE_ADDRESS = /^[^\s@<>",;()]+@[^\s@<>",;()[\]]+$/;
// A display name then an address in angle brackets: `Mary Ng <mary@example.com>` or `"Ng, Mary" <...>`.
const NAMED_ADDRESS = /^(?:"(?:[^"\\\r\n]|\\.)*"|[^"<>\r\n,;]*?)\s*<([^<>\s]+)>$/;

/**
 * True when `value` is one address, bare or with a display name, with no CR or LF.
 * @example
 * isAddress('"Ng, Mary" <mary@example.com>'); // true
 * isAddress('ops@'); // false
 */
export function isAddress(value: string): boolean {
  if (/[\r\n]/.test(value)) return false;
  if (BARE_ADDRESS.test(value)) return true;
  const named = NAMED_ADDRESS.exec(value);
  return named?.[1] !== undefined && BARE_ADDRESS.test(named[1]);
}

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/**
 * True for an IPv4 address in dotted decimal or an IPv6 address. WHATWG URL
 * parsing validates IPv6; node:net would cost a module load at cold start.
 * @example
 * isIpAddress('::1'); // true
 * isIpAddress('10.0.0.0/8'); // false
 */
export function isIpAddress(value: string): boolean {
  if (IPV4.test(value)) return true;
  if (!value.includes(':') || /[^0-9a-fA-F:.]/.test(value)) return false;
  try {
    new URL(`http://[${value}]/`);
    return true;
  } catch {
    return false;
  }
}
