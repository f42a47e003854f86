import { CLEANSED_SUBSTITUTE } from '../core/scrub/names.js';
import { parseBoolean, parseList } from './values.js';

/**
 * An environment record, as `process.env` is one.
 * @example
 * const env: Env = { ADMINS: 'ops@example.com' };
 */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * What a setting's `parse` returns for a raw value it cannot read.
 * @example
 * SETTINGS.maxBytes.parse('big', note) === INVALID; // true
 */
export const INVALID: unique symbol = Symbol('invalid');

/**
 * Records one problem of the setting being checked: the offending value as received, what was expected.
 * @example
 * const report: Report = (received, expected) => problems.push({ received, expected });
 */
export type Report = (received: string, expected: string) => void;

/**
 * A rule one value must follow, and what to say when it does not.
 * @example
 * const ip: Rule<string> = { test: isIpAddress, expected: 'an IPv4 or IPv6 address' };
 */
export interface Rule<T> {
  test(value: T): boolean;
  readonly expected: string;
}

/**
 * One setting: its variable, how it is read, checked, documented and shown. `In` is what the
 * environment or an override gives before the check, `Value` what the Config holds.
 * @example
 * const debug: Setting<boolean> = bool({ variable: 'DEBUG', default: false, meaning: 'true: send nothing' });
 */
export interface Setting<Value, In = Value, Overridable extends boolean = boolean> {
  /** The environment variable. */
  readonly variable: string;
  /** Reads the variable's raw string; {@link INVALID} when it cannot. `note` adds a cold-start note. */
  parse(raw: string, note: (text: string) => void): In | typeof INVALID;
  /** What a readable value looks like: the problem of a value that `parse` rejects. */
  readonly expected: string;
  /** The value when the variable is not set, or the function of the environment that gives it. */
  readonly fallback: In | ((env: Env) => In);
  /** The whole numbers allowed, from the environment and in code alike. */
  readonly range: readonly [min: number, max: number] | undefined;
  /** Checks the merged value (from the environment or from code) and returns what the Config holds. */
  finish(value: In, report: Report): Value;
  /** Never echoed: neither in a ConfigError nor by check-config. */
  readonly secret: boolean;
  /** Whether {@link ConfigOverrides} takes it. */
  readonly overridable: Overridable;
  /** Checked after the settings without it, which is where its problems have always been listed. */
  readonly checkedLast: boolean;
  /** The README row's meaning and default, in Markdown. */
  readonly doc: { readonly meaning: string; readonly default: string };
  /** How check-config shows the effective value. */
  show(value: Value): string;
}

/**
 * A table of settings keyed by their Config field; a nested table is a backend's own settings,
 * keyed by the backend's name.
 * @example
 * const table = { debug: bool({ ... }), smtp: { port: envOnly(integer({ ... })) } } satisfies SettingTable;
 */
export interface SettingTable {
  readonly [field: string]:
    | Setting<unknown, unknown>
    | { readonly [field: string]: Setting<unknown, unknown> };
}

/**
 * The Config fields that a settings table fills, with the table's TSDoc.
 * @example
 * type Smtp = SettingValues<typeof SETTINGS.smtp>; // { host: string; port: number; ... }
 */
export type SettingValues<T> = {
  readonly [K in keyof T]: T[K] extends { finish(value: never, report: Report): infer V }
    ? V
    : SettingValues<T[K]>;
};

/**
 * The settings of a table that code may override, each optional, with the table's TSDoc.
 * @example
 * type Overrides = SettingOverrides<typeof SETTINGS>; // { admins?: readonly string[]; ... }
 */
export type SettingOverrides<T> = {
  readonly [K in keyof T as T[K] extends { readonly overridable: true } ? K : never]?: T[K] extends {
    finish(value: infer In, report: Report): unknown;
  }
    ? In
    : never;
};

interface Doc {
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

type Base<Value, In> = Omit<
  Setting<Value, In, true>,
  'secret' | 'overridable' | 'checkedLast' | 'range' | 'doc' | 'show'
> &
  Partial<Pick<Setting<Value, In, true>, 'secret' | 'range' | 'show'>>;

function define<Value, In>(
  options: Doc,
  base: Base<Value, In>,
  defaultDoc: string,
): Setting<Value, In, true> {
  return {
    secret: false,
    range: undefined,
    show: String,
    ...base,
    overridable: true,
    checkedLast: options.checkedLast === true,
    doc: { meaning: options.meaning, default: options.defaultDoc ?? defaultDoc },
  };
}

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
  options: Doc & { variable: string; default: boolean; lenient?: (shown: string) => string },
): Setting<boolean, boolean, true> {
  const { lenient } = options;
  return define(
    options,
    {
      variable: options.variable,
      expected: 'true or false (also 1/0, yes/no, on/off)',
      fallback: options.default,
      parse(raw, note) {
        const parsed = parseBoolean(raw);
        if (parsed !== undefined) return parsed;
        if (lenient === undefined) return INVALID;
        note(lenient(JSON.stringify(raw)));
        return options.default;
      },
      finish: (value) => value,
    },
    String(options.default),
  );
}

/**
 * A whole number within `range`; blank is the default. An override is held to the same range.
 * @example
 * integer({ variable: 'EMAIL_PORT', default: 25, range: [1, 65535], meaning: 'the SMTP port' });
 */
export function integer(
  options: Doc & { variable: string; default: number; range: readonly [min: number, max: number] },
): Setting<number, number, true> {
  const [min, max] = options.range;
  const expected = `a whole number from ${min} to ${max}`;
  const inRange = (value: number) => Number.isInteger(value) && value >= min && value <= max;
  return define(
    options,
    {
      variable: options.variable,
      expected,
      fallback: options.default,
      range: options.range,
      parse(raw) {
        if (raw.trim() === '') return options.default;
        const value = Number(raw.trim());
        return inRange(value) ? value : INVALID;
      },
      // Only an override can fail here: `parse` has checked the environment.
      finish(value, report) {
        if (!inRange(value)) report(String(value), expected);
        return value;
      },
    },
    String(options.default),
  );
}

/**
 * A number of seconds greater than 0, or none when unset or blank.
 * @example
 * seconds({ variable: 'EMAIL_TIMEOUT', meaning: 'how long an SMTP connection may wait' });
 */
export function seconds(
  options: Doc & { variable: string },
): Setting<number | undefined, number | undefined, true> {
  return define(
    options,
    {
      variable: options.variable,
      expected: 'a number of seconds greater than 0',
      fallback: undefined,
      parse(raw) {
        if (raw.trim() === '') return undefined;
        const value = Number(raw.trim());
        return Number.isFinite(value) && value > 0 ? value : INVALID;
      },
      finish: (value) => value,
      show: (value) => (value === undefined ? '(none)' : `${value} s`),
    },
    'none',
  );
}

/**
 * A string, taken as it is. `emptyIsUnset` makes an empty value the default; `secret` masks it.
 * @example
 * text({ variable: 'EMAIL_HOST_USER', default: '', secret: true, meaning: 'the SMTP login' });
 */
export function text(
  options: Doc &
    Fallback<string> & {
      variable: string;
      rule?: Rule<string>;
      emptyIsUnset?: true;
      secret?: true;
      show?: (value: string) => string;
    },
): Setting<string, string, true> {
  const { rule, default: fallback } = options;
  const empty = options.emptyIsUnset && typeof fallback === 'string' ? fallback : '';
  return define(
    options,
    {
      variable: options.variable,
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
    },
    typeof fallback === 'string' ? code(fallback) : '',
  );
}

/**
 * A string that may be absent: unset or empty is `undefined`; anything else must pass `rule`.
 * @example
 * optionalText({ variable: 'ERROR_MAIL_DEDUPE_TABLE', rule: TABLE_NAME, absent: '(none)', meaning: '...' });
 */
export function optionalText(
  options: Doc & { variable: string; rule: Rule<string>; absent: string },
): Setting<string | undefined, string, true> {
  const { rule } = options;
  return define(
    options,
    {
      variable: options.variable,
      expected: rule.expected,
      fallback: '',
      parse: (raw) => raw,
      finish(value, report) {
        if (value === '') return undefined;
        if (!rule.test(value)) report(value, rule.expected);
        return value;
      },
      show: (value) => value ?? options.absent,
    },
    'none',
  );
}

/**
 * One of a few names, checked on the merged value.
 * @example
 * oneOf({ variable: 'EMAIL_BACKEND', values: ['ses', 'smtp'], default: 'ses', meaning: 'the backend' });
 */
export function oneOf<const V extends string>(
  options: Doc & Fallback<V> & { variable: string; values: readonly V[] },
): Setting<V, V, true> {
  const { values } = options;
  const expected = `one of ${values.map((value) => `"${value}"`).join(', ')}`;
  return define(
    options,
    {
      variable: options.variable,
      expected,
      fallback: options.default,
      // Checked in `finish`, with the overrides, where its problem has its place.
      parse: (raw) => raw as V,
      finish(value, report) {
        if (!values.includes(value)) report(value, expected);
        return value;
      },
      show: (value) => value,
    },
    typeof options.default === 'string' ? code(options.default) : '',
  );
}

/**
 * A list: comma-separated or a JSON array of strings; set but empty is an empty list. Each entry
 * must pass `each`, when given; check-config shows an empty list as `empty`.
 * @example
 * list({ variable: 'IGNORABLE_404_STARTS', default: ['/cgi-bin/'], empty: '(empty)', meaning: '...' });
 */
export function list(
  options: Doc & { variable: string; default?: readonly string[]; each?: Rule<string>; empty: string },
): Setting<readonly string[], readonly string[], true> {
  const { each } = options;
  const fallback = options.default ?? [];
  return define<readonly string[], readonly string[]>(
    options,
    {
      variable: options.variable,
      expected: 'a comma-separated list, or a JSON array of strings',
      fallback,
      parse: (raw) => parseList(raw) ?? INVALID,
      finish(values, report) {
        if (each !== undefined) {
          for (const value of values) if (!each.test(value)) report(value, each.expected);
        }
        return values;
      },
      show: shownList(options.empty),
    },
    fallback.length === 0 ? 'empty' : fallback.map(code).join(', '),
  );
}

/**
 * A list of regular expressions: `compile` turns each string into one. A RegExp given in code is
 * kept, without the `g` and `y` flags, which would make `test` stateful.
 * @example
 * patterns({ variable: 'IGNORABLE_404_URLS', compile: (s) => new RegExp(s), expected: '...', empty: '(empty)', meaning: '...' });
 */
export function patterns(
  options: Doc & { variable: string; compile: (source: string) => RegExp; expected: string; empty: string },
): Setting<readonly RegExp[], readonly (string | RegExp)[], true> {
  const { compile, expected } = options;
  return define<readonly RegExp[], readonly (string | RegExp)[]>(
    options,
    {
      variable: options.variable,
      expected: 'a comma-separated list, or a JSON array of strings',
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
    },
    'empty',
  );
}

/**
 * The same setting, read from the environment only: {@link ConfigOverrides} does not take it.
 * @example
 * envOnly(integer({ variable: 'EMAIL_PORT', default: 25, range: [1, 65535], meaning: 'the SMTP port' }));
 */
export function envOnly<Value, In>(setting: Setting<Value, In, true>): Setting<Value, In, false> {
  return { ...setting, overridable: false };
}
