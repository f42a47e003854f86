import { CLEANSED_SUBSTITUTE } from '../core/scrub/names.js';
import { type Doc, type Env, INVALID, type Report, type Rule, type Setting } from './setting.js';
import { parseBoolean, parseList } from './values.js';

/** A default given as a value, or as a function of the environment, which the README cannot show by itself. */
type Fallback<T> =
  | { readonly default: T; readonly defaultDoc?: string }
  | { readonly default: (env: Env) => T; readonly defaultDoc: string };

type BoolOptions = Doc & { default: boolean; lenient?: (shown: string) => string };
type IntegerOptions = Doc & { default: number; range: readonly [min: number, max: number] };
type TextOptions = Doc &
  Fallback<string> & {
    rule?: Rule<string>;
    emptyIsUnset?: true;
    secret?: true;
    show?: (value: string) => string;
  };
type OptionalTextOptions = Doc & { rule: Rule<string>; absent: string };
type OneOfOptions<V extends string> = Doc & Fallback<V> & { values: readonly V[] };
type ListOptions = Doc & { default: readonly string[]; each?: Rule<string>; empty: string };
type PatternsOptions = Doc & { compile: (source: string) => RegExp; expected: string; empty: string };

/** Every kind, by its tag, with its options. */
type Spec =
  | { readonly kind: 'bool'; readonly options: BoolOptions }
  | { readonly kind: 'integer'; readonly options: IntegerOptions }
  | { readonly kind: 'seconds'; readonly options: Doc }
  | { readonly kind: 'text'; readonly options: TextOptions }
  | { readonly kind: 'optionalText'; readonly options: OptionalTextOptions }
  | { readonly kind: 'oneOf'; readonly options: OneOfOptions<string> }
  | { readonly kind: 'list'; readonly options: ListOptions }
  | { readonly kind: 'patterns'; readonly options: PatternsOptions };

const LIST = 'a comma-separated list, or a JSON array of strings';
const code = (text: string) => `\`${text}\``;
const fromDefault = (fallback: unknown) => (typeof fallback === 'string' ? code(fallback) : '');

// One class and one factory for every kind, each method a switch on the kind: every function a cold
// start calls is compiled then, and a class, a factory or closures per kind cost about 0.5 ms more.
class TableSetting implements Setting<unknown, unknown, boolean> {
  // Assigned in the constructor, not defined as class fields, which cost more at cold start.
  declare readonly variable: string;
  declare readonly fallback: unknown;
  declare readonly overridable: boolean;
  declare readonly checkedLast: boolean;
  declare readonly secret: boolean;
  declare readonly range: readonly [min: number, max: number] | undefined;
  declare readonly spec: Spec;

  constructor(spec: Spec, fallback: unknown) {
    const { options } = spec;
    this.spec = spec;
    this.variable = options.variable;
    this.fallback = fallback;
    this.overridable = true;
    this.checkedLast = options.checkedLast === true;
    this.secret = spec.kind === 'text' && spec.options.secret === true;
    this.range = spec.kind === 'integer' ? spec.options.range : undefined;
  }

  get expected(): string {
    const { spec } = this;
    switch (spec.kind) {
      case 'bool':
        return 'true or false (also 1/0, yes/no, on/off)';
      case 'integer':
        return `a whole number from ${spec.options.range[0]} to ${spec.options.range[1]}`;
      case 'seconds':
        return 'a number of seconds greater than 0';
      case 'text':
        return spec.options.rule?.expected ?? 'a string';
      case 'optionalText':
        return spec.options.rule.expected;
      case 'oneOf':
        return `one of ${spec.options.values.map((value) => `"${value}"`).join(', ')}`;
      default:
        return LIST;
    }
  }

  get doc(): Setting<unknown>['doc'] {
    const { options } = this.spec;
    return { meaning: options.meaning, default: options.defaultDoc ?? this.shownDefault() };
  }

  parse(raw: string, note: (text: string) => void): unknown {
    const { spec } = this;
    switch (spec.kind) {
      case 'bool': {
        const parsed = parseBoolean(raw);
        const { lenient } = spec.options;
        if (parsed !== undefined || lenient === undefined) return parsed ?? INVALID;
        note(lenient(JSON.stringify(raw)));
        return spec.options.default;
      }
      case 'integer': {
        if (raw.trim() === '') return spec.options.default;
        const value = Number(raw.trim());
        return allows(spec.options.range, value) ? value : INVALID;
      }
      case 'seconds': {
        if (raw.trim() === '') return undefined;
        const value = Number(raw.trim());
        return Number.isFinite(value) && value > 0 ? value : INVALID;
      }
      case 'text': {
        const { emptyIsUnset, default: fallback } = spec.options;
        return raw === '' && emptyIsUnset && typeof fallback === 'string' ? fallback : raw;
      }
      case 'list':
      case 'patterns':
        return parseList(raw) ?? INVALID;
      // One of a few names is checked in `finish`, with the overrides, where its problem has its place.
      default:
        return raw;
    }
  }

  finish(value: unknown, report: Report): unknown {
    const { spec } = this;
    switch (spec.kind) {
      case 'integer':
        // Only an override can fail here: `parse` has checked the environment.
        if (!allows(spec.options.range, value as number)) report(String(value), this.expected);
        return value;
      case 'text': {
        const { rule } = spec.options;
        if (rule !== undefined && !rule.test(value as string)) report(value as string, rule.expected);
        return value;
      }
      case 'optionalText':
        if (value === '') return undefined;
        if (!spec.options.rule.test(value as string)) report(value as string, this.expected);
        return value;
      case 'oneOf':
        if (!spec.options.values.includes(value as string)) report(value as string, this.expected);
        return value;
      case 'list': {
        const { each } = spec.options;
        if (each === undefined) return value;
        for (const item of value as readonly string[]) if (!each.test(item)) report(item, each.expected);
        return value;
      }
      case 'patterns':
        return compilePatterns(value as readonly (string | RegExp)[], spec.options, report);
      default:
        return value;
    }
  }

  show(value: unknown): string {
    const { spec } = this;
    switch (spec.kind) {
      case 'seconds':
        return value === undefined ? '(none)' : `${value} s`;
      case 'text':
        if (spec.options.secret) return value === '' ? '(not set)' : CLEANSED_SUBSTITUTE;
        return spec.options.show?.(value as string) ?? (value as string);
      case 'optionalText':
        return (value as string | undefined) ?? spec.options.absent;
      case 'list':
      case 'patterns': {
        const items = value as readonly (string | RegExp)[];
        return items.length === 0 ? spec.options.empty : items.map(String).join(', ');
      }
      default:
        return String(value);
    }
  }

  /** The README's default when the options give none. */
  private shownDefault(): string {
    const { spec } = this;
    switch (spec.kind) {
      case 'bool':
      case 'integer':
        return String(spec.options.default);
      case 'text':
      case 'oneOf':
        return fromDefault(spec.options.default);
      case 'list':
        return spec.options.default.length === 0 ? 'empty' : spec.options.default.map(code).join(', ');
      case 'patterns':
        return 'empty';
      default:
        return 'none';
    }
  }
}

function allows([min, max]: readonly [number, number], value: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/** Compiles each string with `compile`; a RegExp given in code is kept, without `g` and `y`. */
function compilePatterns(
  sources: readonly (string | RegExp)[],
  options: PatternsOptions,
  report: Report,
): RegExp[] {
  const compiled: RegExp[] = [];
  for (const source of sources) {
    if (source instanceof RegExp) {
      // Without `g` and `y`, which would make `test` stateful.
      compiled.push(new RegExp(source.source, source.flags.replace(/[gy]/g, '')));
      continue;
    }
    try {
      compiled.push(options.compile(source));
    } catch (error) {
      report(source, `${options.expected} (${(error as Error).message})`);
    }
  }
  return compiled;
}

type Options =
  | BoolOptions
  | IntegerOptions
  | Doc
  | TextOptions
  | OptionalTextOptions
  | OneOfOptions<string>
  | ListOptions
  | PatternsOptions;

/**
 * One entry of the settings table, by its kind:
 * - `bool`: true/false, 1/0, yes/no, on/off. With `lenient`, an unreadable value counts as the
 *   default, with the note `lenient` writes, instead of being a problem.
 * - `integer`: a whole number within `range`; blank is the default. An override is held to the same range.
 * - `seconds`: a number of seconds greater than 0, or none when unset or blank.
 * - `text`: a string, taken as it is, checked by `rule` when given. `emptyIsUnset` makes an empty
 *   value the default; `secret` hides it, and check-config shows only whether it is set.
 * - `optionalText`: unset or empty is `undefined`; anything else must pass `rule`; check-config
 *   shows an absent value as `absent`.
 * - `oneOf`: one of a few names, checked on the merged value.
 * - `list`: comma-separated or a JSON array of strings; set but empty is an empty list. Each entry
 *   must pass `each`, when given; check-config shows an empty list as `empty`.
 * - `patterns`: a list of regular expressions that `compile` makes from strings; a RegExp given in
 *   code is kept, without the `g` and `y` flags.
 * @example
 * setting('integer', { variable: 'EMAIL_PORT', default: 25, range: [1, 65535], meaning: 'the SMTP port' });
 */
export function setting(kind: 'bool', options: BoolOptions): Setting<boolean, boolean, true>;
export function setting(kind: 'integer', options: IntegerOptions): Setting<number, number, true>;
export function setting(kind: 'seconds', options: Doc): Setting<number | undefined, number | undefined, true>;
export function setting(kind: 'text', options: TextOptions): Setting<string, string, true>;
export function setting(
  kind: 'optionalText',
  options: OptionalTextOptions,
): Setting<string | undefined, string, true>;
export function setting<const V extends string>(kind: 'oneOf', options: OneOfOptions<V>): Setting<V, V, true>;
export function setting(
  kind: 'list',
  options: ListOptions,
): Setting<readonly string[], readonly string[], true>;
export function setting(
  kind: 'patterns',
  options: PatternsOptions,
): Setting<readonly RegExp[], readonly (string | RegExp)[], true>;
export function setting(kind: Spec['kind'], options: Options): Setting<unknown, unknown, true> {
  const fallback =
    'default' in options
      ? options.default
      : kind === 'patterns'
        ? []
        : kind === 'optionalText'
          ? ''
          : undefined;
  return new TableSetting({ kind, options } as Spec, fallback) as Setting<unknown, unknown, true>;
}

/**
 * The same setting, read from the environment only: {@link ConfigOverrides} does not take it.
 * @example
 * envOnly(integer({ variable: 'EMAIL_PORT', default: 25, range: [1, 65535], meaning: 'the SMTP port' }));
 */
export function envOnly<Value, In>(setting: Setting<Value, In, true>): Setting<Value, In, false> {
  (setting as unknown as { overridable: boolean }).overridable = false;
  return setting as unknown as Setting<Value, In, false>;
}
