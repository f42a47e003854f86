import { CLEANSED_SUBSTITUTE } from '../core/scrub/names.js';
import { type Env, INVALID, type Rule, type Setting } from './setting.js';
import { parseBoolean, parseList } from './values.js';

interface Doc {
  /** The environment variable. */
  readonly variable: string;
  /** README: what the setting means, in Markdown. */
  readonly meaning: string;
  /** README: the default in words, when saying the value is not enough. */
  readonly defaultDoc?: string;
  /** See {@link Setting.checkedLast}. */
  readonly checkedLast?: true;
}

/** A default given as a value, or as a function of the environment, which the README cannot show by itself. */
type Fallback<T> =
  | { readonly default: T; readonly defaultDoc?: string }
  | { readonly default: (env: Env) => T; readonly defaultDoc: string };

type Base<Value, In> = Pick<Setting<Value, In, true>, 'expected' | 'fallback' | 'parse' | 'finish'> &
  Partial<Pick<Setting<Value, In, true>, 'secret' | 'range' | 'show'>>;

/** Completes a setting: `defaultDoc` is the README's default unless the options give one. */
function define<Value, In>(
  options: Doc,
  defaultDoc: string,
  base: Base<Value, In>,
): Setting<Value, In, true> {
  return {
    variable: options.variable,
    secret: false,
    range: undefined,
    show: String,
    ...base,
    overridable: true,
    checkedLast: options.checkedLast === true,
    doc: { meaning: options.meaning, default: options.defaultDoc ?? defaultDoc },
  };
}

const LIST = 'a comma-separated list, or a JSON array of strings';
const code = (text: string) => `\`${text}\``;
const shownList = (empty: string) => (items: readonly (string | RegExp)[]) =>
  items.length === 0 ? empty : items.map(String).join(', ');

/**
 * A boolean: true/false, 1/0, yes/no, on/off. With `lenient`, an unreadable value counts as the
 * default, with the note `lenient` writes, instead of being a problem.
 * @example
 * bool({ variable: 'APPEND_SLASH', default: true, meaning: 'the trailing-slash rule' });
 */
export function bool(
  options: Doc & { default: boolean; lenient?: (shown: string) => string },
): Setting<boolean, boolean, true> {
  const { lenient, default: fallback } = options;
  return define(options, String(fallback), {
    expected: 'true or false (also 1/0, yes/no, on/off)',
    fallback,
    parse(raw, note) {
      const parsed = parseBoolean(raw);
      if (parsed !== undefined || lenient === undefined) return parsed ?? INVALID;
      note(lenient(JSON.stringify(raw)));
      return fallback;
    },
    finish: (value) => value,
  });
}

/**
 * A whole number within `range`; blank is the default. An override is held to the same range.
 * @example
 * integer({ variable: 'EMAIL_PORT', default: 25, range: [1, 65535], meaning: 'the SMTP port' });
 */
export function integer(
  options: Doc & { default: number; range: readonly [min: number, max: number] },
): Setting<number, number, true> {
  const { range, default: fallback } = options;
  const expected = `a whole number from ${range[0]} to ${range[1]}`;
  const inRange = (value: number) => Number.isInteger(value) && value >= range[0] && value <= range[1];
  return define(options, String(fallback), {
    expected,
    fallback,
    range,
    parse: (raw) =>
      raw.trim() === '' ? fallback : inRange(Number(raw.trim())) ? Number(raw.trim()) : INVALID,
    // Only an override can fail here: `parse` has checked the environment.
    finish(value, report) {
      if (!inRange(value)) report(String(value), expected);
      return value;
    },
  });
}

/**
 * A number of seconds greater than 0, or none when unset or blank.
 * @example
 * seconds({ variable: 'EMAIL_TIMEOUT', meaning: 'how long an SMTP connection may wait' });
 */
export function seconds(options: Doc): Setting<number | undefined, number | undefined, true> {
  return define(options, 'none', {
    expected: 'a number of seconds greater than 0',
    fallback: undefined,
    parse(raw) {
      if (raw.trim() === '') return undefined;
      const value = Number(raw.trim());
      return Number.isFinite(value) && value > 0 ? value : INVALID;
    },
    finish: (value) => value,
    show: (value) => (value === undefined ? '(none)' : `${value} s`),
  });
}

/**
 * A string, taken as it is, checked by `rule` when given. `emptyIsUnset` makes an empty value the
 * default; `secret` hides it, and check-config shows only whether it is set.
 * @example
 * text({ variable: 'EMAIL_HOST_USER', default: '', secret: true, meaning: 'the SMTP login' });
 */
export function text(
  options: Doc &
    Fallback<string> & {
      rule?: Rule<string>;
      emptyIsUnset?: true;
      secret?: true;
      show?: (value: string) => string;
    },
): Setting<string, string, true> {
  const { rule, default: fallback } = options;
  const empty = options.emptyIsUnset && typeof fallback === 'string' ? fallback : '';
  return define(options, typeof fallback === 'string' ? code(fallback) : '', {
    expected: rule?.expected ?? 'a string',
    fallback,
    parse: (raw) => (raw === '' ? empty : raw),
    finish(value, report) {
      if (rule !== undefined && !rule.test(value)) report(value, rule.expected);
      return value;
    },
    secret: options.secret === true,
    show: options.secret
      ? (value) => (value === '' ? '(not set)' : CLEANSED_SUBSTITUTE)
      : (options.show ?? ((value) => value)),
  });
}

/**
 * A string that may be absent: unset or empty is `undefined`; anything else must pass `rule`.
 * check-config shows an absent value as `absent`.
 * @example
 * optionalText({ variable: 'ERROR_MAIL_DEDUPE_TABLE', rule: TABLE_NAME, absent: '(none)', meaning: '...' });
 */
export function optionalText(
  options: Doc & { rule: Rule<string>; absent: string },
): Setting<string | undefined, string, true> {
  const { rule, absent } = options;
  return define(options, 'none', {
    expected: rule.expected,
    fallback: '',
    parse: (raw) => raw,
    finish(value, report) {
      if (value === '') return undefined;
      if (!rule.test(value)) report(value, rule.expected);
      return value;
    },
    show: (value) => value ?? absent,
  });
}

/**
 * One of a few names, checked on the merged value.
 * @example
 * oneOf({ variable: 'EMAIL_BACKEND', values: ['ses', 'smtp'], default: 'ses', meaning: 'the backend' });
 */
export function oneOf<const V extends string>(
  options: Doc & Fallback<V> & { values: readonly V[] },
): Setting<V, V, true> {
  const { values, default: fallback } = options;
  const expected = `one of ${values.map((value) => `"${value}"`).join(', ')}`;
  return define(options, typeof fallback === 'string' ? code(fallback) : '', {
    expected,
    fallback,
    // Checked in `finish`, with the overrides, where its problem has its place.
    parse: (raw) => raw as V,
    finish(value, report) {
      if (!values.includes(value)) report(value, expected);
      return value;
    },
    show: (value) => value,
  });
}

/**
 * A list: comma-separated or a JSON array of strings; set but empty is an empty list. Each entry
 * must pass `each`, when given; check-config shows an empty list as `empty`.
 * @example
 * list({ variable: 'IGNORABLE_404_STARTS', default: ['/cgi-bin/'], empty: '(empty)', meaning: '...' });
 */
export function list(
  options: Doc & { default?: readonly string[]; each?: Rule<string>; empty: string },
): Setting<readonly string[], readonly string[], true> {
  const { each, default: fallback = [] } = options;
  const defaultDoc = fallback.length === 0 ? 'empty' : fallback.map(code).join(', ');
  return define<readonly string[], readonly string[]>(options, defaultDoc, {
    expected: LIST,
    fallback,
    parse: (raw) => parseList(raw) ?? INVALID,
    finish(values, report) {
      for (const value of values) if (each !== undefined && !each.test(value)) report(value, each.expected);
      return values;
    },
    show: shownList(options.empty),
  });
}

/**
 * A list of regular expressions: `compile` turns each string into one. A RegExp given in code is
 * kept, without the `g` and `y` flags, which would make `test` stateful.
 * @example
 * patterns({ variable: 'IGNORABLE_404_URLS', compile: (s) => new RegExp(s), expected: '...', empty: '(empty)', meaning: '...' });
 */
export function patterns(
  options: Doc & { compile: (source: string) => RegExp; expected: string; empty: string },
): Setting<readonly RegExp[], readonly (string | RegExp)[], true> {
  const { compile, expected } = options;
  return define<readonly RegExp[], readonly (string | RegExp)[]>(options, 'empty', {
    expected: LIST,
    fallback: [],
    parse: (raw) => parseList(raw) ?? INVALID,
    finish(sources, report) {
      const compiled: RegExp[] = [];
      for (const source of sources) {
        if (source instanceof RegExp) {
          compiled.push(new RegExp(source.source, source.flags.replace(/[gy]/g, '')));
          continue;
        }
        try {
          compiled.push(compile(source));
        } catch (error) {
          report(source, `${expected} (${(error as Error).message})`);
        }
      }
      return compiled;
    },
    show: shownList(options.empty),
  });
}

/**
 * The same setting, read from the environment only: {@link ConfigOverrides} does not take it.
 * @example
 * envOnly(integer({ variable: 'EMAIL_PORT', default: 25, range: [1, 65535], meaning: 'the SMTP port' }));
 */
export function envOnly<Value, In>(setting: Setting<Value, In, true>): Setting<Value, In, false> {
  return { ...setting, overridable: false };
}
