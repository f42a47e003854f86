import { CLEANSED_SUBSTITUTE, type NameTest } from './names.js';

// A URL inside a parameter value nests one query in another, a redirect in a redirect two; past this
// depth the rest of the value is hidden whole rather than read on.
const MAX_NESTING = 8;
// Where a query starts inside a parameter value: `next=/cart?token=...`, or encoded once: `next=%2Fcart%3Ftoken%3D...`.
const NESTED_QUERY = /\?|%3F/i;
// Inside a nested query the delimiters may be written either way.
const NESTED_PAIRS = /(&|%26)/i;
const NESTED_EQUALS = /=|%3D/i;
// A whole string shaped like a query: a parameter name (no `/`, `:` or spaces), `=`, and no spaces.
// `api_key=...&page=2` and `flag&token=...` are; a path such as `s3://logs/api=v1/` is not.
const QUERY_SHAPED = /^[\w.~%+\-[\]&]+=\S*$/;
// A whole string that is a URL or a path up to its query or fragment: `https://host/a?...`, `/a?...`.
const URL_HEAD = /^(?:[a-z][a-z0-9+.-]{0,31}:\/\/|\/)[^\s?#]*[?#]/i;
// A query or fragment inside text, up to a space or a character that cannot stand unencoded in a URL.
const QUERY_IN_TEXT = /([?#])([^\s#"<>`]+)/g;
// A value that is only `=` signs is base64 padding or nothing: there is no secret to hide.
const NO_VALUE = /^=*$/;

/** Percent-decodes what can be decoded, byte by byte where the bytes are not UTF-8. */
function decodeLeniently(text: string): string {
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run.replace(/%([0-9A-Fa-f]{2})/g, (_hex, byte: string) =>
        String.fromCharCode(Number.parseInt(byte, 16)),
      );
    }
  });
}

/**
 * True when a parameter name is sensitive as written or once decoded (`api%5Fkey` is `api_key`, `+` a
 * space), or decoded twice, as it is when a URL travels inside another URL's parameter.
 * @example
 * isSensitiveParameter(sensitiveNameTest([]), '%61pi%5Fkey'); // true
 */
export function isSensitiveParameter(isSensitiveName: NameTest, raw: string): boolean {
  if (isSensitiveName(raw)) return true;
  let name = raw;
  for (let round = 0; round < 2 && /[%+]/.test(name); round++) {
    name = decodeLeniently(name.replace(/\+/g, ' '));
    if (isSensitiveName(name)) return true;
  }
  return false;
}

/** One `name=value` pair: the value hidden when the name is sensitive, else scrubbed for a nested query. */
function scrubPair(pair: string, isSensitiveName: NameTest, nested: number): string {
  let at: number;
  let length = 1;
  if (nested === 0) at = pair.indexOf('=');
  else {
    const equals = NESTED_EQUALS.exec(pair);
    at = equals?.index ?? -1;
    length = equals?.[0].length ?? 0;
  }
  if (at === -1) return pair;
  const name = pair.slice(0, at);
  const head = pair.slice(0, at + length);
  const value = pair.slice(head.length);
  if (isSensitiveParameter(isSensitiveName, name)) {
    return NO_VALUE.test(value) ? pair : `${head}${CLEANSED_SUBSTITUTE}`;
  }
  return `${head}${scrubValue(value, isSensitiveName, nested)}`;
}

/** The value of a parameter whose name is not sensitive: a query held in it is scrubbed too. */
function scrubValue(value: string, isSensitiveName: NameTest, nested: number): string {
  const start = NESTED_QUERY.exec(value);
  if (start === null) return value;
  if (nested >= MAX_NESTING) return CLEANSED_SUBSTITUTE;
  const head = value.slice(0, start.index + start[0].length);
  const pieces = value.slice(head.length).split(NESTED_PAIRS);
  // split() with a capturing group keeps the delimiters at the odd indexes.
  return (
    head +
    pieces.map((piece, i) => (i % 2 === 1 ? piece : scrubPair(piece, isSensitiveName, nested + 1))).join('')
  );
}

/**
 * A raw query string (or form body) with the values of sensitive parameters hidden. Names are
 * compared as written and percent-decoded; everything else stays byte for byte as it was (order,
 * encoding, repeated names, `+`). A URL inside a parameter value has its own query scrubbed too.
 * @example
 * scrubQuery('page=2&api%5Fkey=abc&next=%2Fa%3Ftoken%3Dxyz', sensitiveNameTest([]));
 * // 'page=2&api%5Fkey=********************&next=%2Fa%3Ftoken%3D********************'
 */
export function scrubQuery(raw: string, isSensitiveName: NameTest): string {
  // No `=`, no value: a value held in another's (`next=%2Fa%3Ftoken%3D...`) is behind an `=` too.
  if (!raw.includes('=')) return raw;
  return raw
    .split('&')
    .map((pair) => scrubPair(pair, isSensitiveName, 0))
    .join('&');
}

/** A query and the fragments after it (`#access_token=...`), each scrubbed as a query. */
function scrubQueryAndFragment(text: string, isSensitiveName: NameTest): string {
  if (!text.includes('#')) return scrubQuery(text, isSensitiveName);
  return text
    .split('#')
    .map((part) => scrubQuery(part, isSensitiveName))
    .join('#');
}

/**
 * Any text with the queries it holds scrubbed by parameter name: the whole text when it is shaped like
 * a query (`a=1&token=...`) or is a URL or path with a query (`https://host/a?token=...`, spaces and
 * all), else each `?query` and `#fragment` inside it up to the next space.
 * @example
 * scrubQueriesInText('GET https://shop.example/cb?code=1&api_key=abc failed', sensitiveNameTest([]));
 * // 'GET https://shop.example/cb?code=1&api_key=******************** failed'
 */
export function scrubQueriesInText(text: string, isSensitiveName: NameTest): string {
  // Most strings of an event hold no `=` at all: nothing to hide, nothing to read.
  if (!text.includes('=')) return text;
  if (QUERY_SHAPED.test(text)) return scrubQuery(text, isSensitiveName);
  const url = URL_HEAD.exec(text);
  if (url !== null) return `${url[0]}${scrubQueryAndFragment(text.slice(url[0].length), isSensitiveName)}`;
  return text.replace(
    QUERY_IN_TEXT,
    (_whole, mark: string, run: string) => `${mark}${scrubQuery(run, isSensitiveName)}`,
  );
}

/**
 * The value of a parameter whose name is not sensitive, as it is written or decoded: a query held in
 * it (a URL to return to) is scrubbed by parameter name.
 * @example
 * scrubParameterValue('/cart?token=abc', sensitiveNameTest([])); // '/cart?token=********************'
 */
export function scrubParameterValue(value: string, isSensitiveName: NameTest): string {
  return scrubValue(value, isSensitiveName, 0);
}
