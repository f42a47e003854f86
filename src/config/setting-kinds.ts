import { CLEANSED_SUBSTITUTE } from '../core/scrub/names.js';
import { type Doc, type Env, INVALID, Kind, type Report, type Rule, type Setting } from './setting.js';
import { parseBoolean, parseList } from './values.js';

/** A default given as a value, or as a function of the environment, which the README cannot show by itself. */
type Fallback<T> =
  | { readonly default: T; readonly defaultDoc?: string }
  | { readonly default: (env: Env) => T; readonly defaultDoc: string };

const LIST = 'a comma-separated list, or a JSON array of strings';
const code = (text: string) => `\`${text}\``;
const fromDefault = (fallback: unknown) => (typeof fallback === 'string' ? code(fallback) : '');

type BoolOptions = Doc & { default: boolean; lenient?: (shown: string) => string };

class Bool extends Kind<boolean, boolean, BoolOptions> {
  get expected() {
    return 'true or false (also 1/0, yes/no, on/off)';
  }
  get shownDefault() {
    return String(this.options.default);
  }
  parse(raw: string, note: (text: string) => void) {
    const parsed = parseBoolean(raw);
    const { lenient } = this.options;
    if (parsed !== undefined || lenient === undefined) return parsed ?? INVALID;
    note(lenient(JSON.stringify(raw)));
    return this.options.default;
  }
  finish(value: boolean) {
    return value;
  }
}

/**
 * A boolean: true/false, 1/0, yes/no, on/off. With `lenient`, an unreadable value counts as the
 * default, with the note `lenient` writes, instead of being a problem.
 * @example
 * bool({ variable: 'APPEND_SLASH', default: true, meaning: 'the trailing-slash rule' });
 */
export const bool = (options: BoolOptions): Setting<boolean, boolean, true> =>
  new Bool(options, options.default);

type IntegerOptions = Doc & { default: number; range: readonly [min: number, max: number] };

class Integer extends Kind<number, number, IntegerOptions> {
  get expected() {
    return `a whole number from ${this.options.range[0]} to ${this.options.range[1]}`;
  }
  get shownDefault() {
    return String(this.options.default);
  }
  override get range() {
    return this.options.range;
  }
  parse(raw: string) {
    if (raw.trim() === '') return this.options.default;
    const value = Number(raw.trim());
    return this.allows(value) ? value : INVALID;
  }
  // Only an override can fail here: `parse` has checked the environment.
  finish(value: number, report: Report) {
    if (!this.allows(value)) report(String(value), this.expected);
    return value;
  }
  private allows(value: number) {
    const [min, max] = this.options.range;
    return Number.isInteger(value) && value >= min && value <= max;
  }
}

/**
 * A whole number within `range`; blank is the default. An override is held to the same range.
 * @example
 * integer({ variable: 'EMAIL_PORT', default: 25, range: [1, 65535], meaning: 'the SMTP port' });
 */
export const integer = (options: IntegerOptions): Setting<number, number, true> =>
  new Integer(options, options.default);

class Seconds extends Kind<number | undefined, number | undefined, Doc> {
  get expected() {
    return 'a number of seconds greater than 0';
  }
  get shownDefault() {
    return 'none';
  }
  parse(raw: string) {
    if (raw.trim() === '') return undefined;
    const value = Number(raw.trim());
    return Number.isFinite(value) && value > 0 ? value : INVALID;
  }
  finish(value: number | undefined) {
    return value;
  }
  override show(value: number | undefined) {
    return value === undefined ? '(none)' : `${value} s`;
  }
}

/**
 * A number of seconds greater than 0, or none when unset or blank.
 * @example
 * seconds({ variable: 'EMAIL_TIMEOUT', meaning: 'how long an SMTP connection may wait' });
 */
export const seconds = (options: Doc): Setting<number | undefined, number | undefined, true> =>
  new Seconds(options, undefined);

type TextOptions = Doc &
  Fallback<string> & {
    rule?: Rule<string>;
    emptyIsUnset?: true;
    secret?: true;
    show?: (value: string) => string;
  };

class Text extends Kind<string, string, TextOptions> {
  get expected() {
    return this.options.rule?.expected ?? 'a string';
  }
  get shownDefault() {
    return fromDefault(this.options.default);
  }
  override get secret() {
    return this.options.secret === true;
  }
  parse(raw: string) {
    const { emptyIsUnset, default: fallback } = this.options;
    return raw === '' && emptyIsUnset && typeof fallback === 'string' ? fallback : raw;
  }
  finish(value: string, report: Report) {
    const { rule } = this.options;
    if (rule !== undefined && !rule.test(value)) report(value, rule.expected);
    return value;
  }
  override show(value: string) {
    if (this.options.secret) return value === '' ? '(not set)' : CLEANSED_SUBSTITUTE;
    return this.options.show?.(value) ?? value;
  }
}

/**
 * A string, taken as it is, checked by `rule` when given. `emptyIsUnset` makes an empty value the
 * default; `secret` hides it, and check-config shows only whether it is set.
 * @example
 * text({ variable: 'EMAIL_HOST_USER', default: '', secret: true, meaning: 'the SMTP login' });
 */
export const text = (options: TextOptions): Setting<string, string, true> =>
  new Text(options, options.default);

type OptionalTextOptions = Doc & { rule: Rule<string>; absent: string };

class OptionalText extends Kind<string | undefined, string, OptionalTextOptions> {
  get shownDefault() {
    return 'none';
  }
  get expected() {
    return this.options.rule.expected;
  }
  parse(raw: string) {
    return raw;
  }
  finish(value: string, report: Report) {
    if (value === '') return undefined;
    if (!this.options.rule.test(value)) report(value, this.expected);
    return value;
  }
  override show(value: string | undefined) {
    return value ?? this.options.absent;
  }
}

/**
 * A string that may be absent: unset or empty is `undefined`; anything else must pass `rule`.
 * check-config shows an absent value as `absent`.
 * @example
 * optionalText({ variable: 'ERROR_MAIL_DEDUPE_TABLE', rule: TABLE_NAME, absent: '(none)', meaning: '...' });
 */
export const optionalText = (options: OptionalTextOptions): Setting<string | undefined, string, true> =>
  new OptionalText(options, '');

type OneOfOptions<V extends string> = Doc & Fallback<V> & { values: readonly V[] };

class OneOf<V extends string> extends Kind<V, V, OneOfOptions<V>> {
  get expected() {
    return `one of ${this.options.values.map((value) => `"${value}"`).join(', ')}`;
  }
  get shownDefault() {
    return fromDefault(this.options.default);
  }
  // Checked in `finish`, with the overrides, where its problem has its place.
  parse(raw: string) {
    return raw as V;
  }
  finish(value: V, report: Report) {
    if (!this.options.values.includes(value)) report(value, this.expected);
    return value;
  }
}

/**
 * One of a few names, checked on the merged value.
 * @example
 * oneOf({ variable: 'EMAIL_BACKEND', values: ['ses', 'smtp'], default: 'ses', meaning: 'the backend' });
 */
export const oneOf = <const V extends string>(options: OneOfOptions<V>): Setting<V, V, true> =>
  new OneOf(options, options.default);

type ListOptions = Doc & { default: readonly string[]; each?: Rule<string>; empty: string };

class List extends Kind<readonly string[], readonly string[], ListOptions> {
  get expected() {
    return LIST;
  }
  get shownDefault() {
    const { default: fallback } = this.options;
    return fallback.length === 0 ? 'empty' : fallback.map(code).join(', ');
  }
  parse(raw: string) {
    return parseList(raw) ?? INVALID;
  }
  finish(values: readonly string[], report: Report) {
    const { each } = this.options;
    for (const value of values) if (each !== undefined && !each.test(value)) report(value, each.expected);
    return values;
  }
  override show(values: readonly string[]) {
    return values.length === 0 ? this.options.empty : values.join(', ');
  }
}

/**
 * A list: comma-separated or a JSON array of strings; set but empty is an empty list. Each entry
 * must pass `each`, when given; check-config shows an empty list as `empty`.
 * @example
 * list({ variable: 'IGNORABLE_404_STARTS', default: ['/cgi-bin/'], empty: '(empty)', meaning: '...' });
 */
export const list = (options: ListOptions): Setting<readonly string[], readonly string[], true> =>
  new List(options, options.default);

type PatternsOptions = Doc & { compile: (source: string) => RegExp; expected: string; empty: string };

class Patterns extends Kind<readonly RegExp[], readonly (string | RegExp)[], PatternsOptions> {
  get expected() {
    return LIST;
  }
  get shownDefault() {
    return 'empty';
  }
  parse(raw: string) {
    return parseList(raw) ?? INVALID;
  }
  finish(sources: readonly (string | RegExp)[], report: Report) {
    const compiled: RegExp[] = [];
    for (const source of sources) {
      if (source instanceof RegExp) {
        // Without `g` and `y`, which would make `test` stateful.
        compiled.push(new RegExp(source.source, source.flags.replace(/[gy]/g, '')));
        continue;
      }
      try {
        compiled.push(this.options.compile(source));
      } catch (error) {
        report(source, `${this.options.expected} (${(error as Error).message})`);
      }
    }
    return compiled;
  }
  override show(patterns: readonly RegExp[]) {
    return patterns.length === 0 ? this.options.empty : patterns.map(String).join(', ');
  }
}

/**
 * A list of regular expressions: `compile` turns each string into one. A RegExp given in code is
 * kept, without the `g` and `y` flags.
 * @example
 * patterns({ variable: 'IGNORABLE_404_URLS', compile: (s) => new RegExp(s), expected: '...', empty: '(empty)', meaning: '...' });
 */
export const patterns = (
  options: PatternsOptions,
): Setting<readonly RegExp[], readonly (string | RegExp)[], true> => new Patterns(options, []);

/**
 * The same setting, read from the environment only: {@link ConfigOverrides} does not take it.
 * @example
 * envOnly(integer({ variable: 'EMAIL_PORT', default: 25, range: [1, 65535], meaning: 'the SMTP port' }));
 */
export function envOnly<Value, In>(setting: Setting<Value, In, true>): Setting<Value, In, false> {
  return Object.defineProperty(setting, 'overridable', { value: false }) as unknown as Setting<
    Value,
    In,
    false
  >;
}
