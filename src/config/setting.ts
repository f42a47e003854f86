/**
 * An environment record, as `process.env` is one.
 * @example
 * const env: Env = { ADMINS: 'ops@example.com' };
 */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * What `parseSetting` returns for a raw value it cannot read.
 * @example
 * parseSetting(SETTINGS.maxBytes, 'big', note) === INVALID; // true
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
 * What every entry of the settings table says besides its kind.
 * @example
 * const base: SettingBase = { variable: 'EMAIL_PORT', envOnly: true };
 */
export interface SettingBase {
  /** The environment variable. */
  readonly variable: string;
  /** Checked after the settings without it, which is where its problems have always been listed. */
  readonly checkedLast?: true;
  /** Read from the environment only: {@link ConfigOverrides} does not take it. */
  readonly envOnly?: true;
}

/** A default given as a value, or as a function of the environment (then its text's `defaultDoc` says it in words). */
type Fallback<T> = T | ((env: Env) => T);

/**
 * One entry of the settings table: plain data, by its kind.
 * - `bool`: true/false, 1/0, yes/no, on/off. With `lenient`, an unreadable value counts as the
 *   default, with the note `lenient` writes, instead of being a problem.
 * - `integer`: a whole number within `range`; blank is the default. An override is held to the same range.
 * - `seconds`: a number of seconds greater than 0, or none when unset or blank.
 * - `text`: a string, taken as it is, checked by `rule` when given. `emptyIsUnset` makes an empty
 *   value the default; `secret` hides it, and check-config shows only whether it is set.
 * - `optionalText`: unset or empty is `undefined`; anything else must pass `rule`.
 * - `oneOf`: one of `values`, checked on the merged value.
 * - `list`: comma-separated or a JSON array of strings; set but empty is an empty list. Each entry
 *   must pass `each`, when given.
 * - `patterns`: a list of regular expressions that `compile` makes from strings; a RegExp given in
 *   code is kept, without the `g` and `y` flags.
 * What the README and check-config say of each entry is in its text (`setting-texts.ts`).
 * @example
 * const port: SettingSpec = { kind: 'integer', variable: 'EMAIL_PORT', default: 25, range: [1, 65535] };
 */
export type SettingSpec = SettingBase &
  (
    | { readonly kind: 'bool'; readonly default: boolean; readonly lenient?: (shown: string) => string }
    | {
        readonly kind: 'integer';
        readonly default: number;
        readonly range: readonly [min: number, max: number];
      }
    | { readonly kind: 'seconds' }
    | {
        readonly kind: 'text';
        readonly default: Fallback<string>;
        readonly rule?: Rule<string>;
        readonly emptyIsUnset?: true;
        readonly secret?: true;
      }
    | { readonly kind: 'optionalText'; readonly rule: Rule<string> }
    | { readonly kind: 'oneOf'; readonly values: readonly string[]; readonly default: Fallback<string> }
    | {
        readonly kind: 'list';
        readonly default: readonly string[];
        readonly each?: Rule<string>;
      }
    | {
        readonly kind: 'patterns';
        readonly compile: (source: string) => RegExp;
        readonly expected: string;
      }
  );

/**
 * What the README and check-config say of one entry: `meaning` and, where the value says too little,
 * `defaultDoc` (Markdown); `empty` or `absent` for how check-config shows an empty list or an absent
 * value, and `show` for how it shows a text value. Which of them an entry needs follows its kind.
 * @example
 * const text: SettingText = { meaning: 'the SMTP port' };
 */
export interface SettingText {
  readonly meaning: string;
  readonly defaultDoc?: string;
  readonly empty?: string;
  readonly absent?: string;
  readonly show?: (value: string) => string;
}

/**
 * The text that an entry of kind `S` must have.
 * @example
 * const urls: SettingTextOf<typeof SETTINGS.ignorable404Urls> = { meaning: 'regexes', empty: '(empty)' };
 */
export type SettingTextOf<S> = Pick<SettingText, 'meaning' | 'defaultDoc'> &
  (S extends { readonly kind: 'list' | 'patterns' }
    ? { readonly empty: string }
    : S extends { readonly kind: 'optionalText' }
      ? { readonly absent: string }
      : S extends { readonly kind: 'text' }
        ? Pick<SettingText, 'show'>
        : unknown);

/**
 * The texts of a settings table: one per entry, keyed as the table is.
 * @example
 * const texts = { debug: { meaning: 'true: send nothing' } } satisfies SettingTexts<{ debug: ... }>;
 */
export type SettingTexts<T> = {
  readonly [K in keyof T]: T[K] extends { readonly kind: string } ? SettingTextOf<T[K]> : SettingTexts<T[K]>;
};

/**
 * A table of settings keyed by their Config field; a nested table is a backend's own settings,
 * keyed by the backend's name.
 * @example
 * const table = { debug: { kind: 'bool', ... }, smtp: { port: { kind: 'integer', envOnly: true, ... } } } satisfies SettingTable;
 */
export interface SettingTable {
  readonly [field: string]: SettingSpec | { readonly [field: string]: SettingSpec };
}

/**
 * What the Config holds for one entry.
 * @example
 * type Port = SettingValue<typeof SETTINGS.smtp.port>; // number
 */
export type SettingValue<S> = S extends { readonly kind: 'bool' }
  ? boolean
  : S extends { readonly kind: 'integer' }
    ? number
    : S extends { readonly kind: 'seconds' }
      ? number | undefined
      : S extends { readonly kind: 'text' }
        ? string
        : S extends { readonly kind: 'optionalText' }
          ? string | undefined
          : S extends { readonly kind: 'oneOf'; readonly values: readonly (infer V)[] }
            ? V
            : S extends { readonly kind: 'list' }
              ? readonly string[]
              : S extends { readonly kind: 'patterns' }
                ? readonly RegExp[]
                : never;

/**
 * What code may give for one entry, before it is checked.
 * @example
 * type Urls = SettingInput<typeof SETTINGS.ignorable404Urls>; // readonly (string | RegExp)[]
 */
export type SettingInput<S> = S extends { readonly kind: 'patterns' }
  ? readonly (string | RegExp)[]
  : S extends { readonly kind: 'optionalText' }
    ? string
    : SettingValue<S>;

/**
 * The Config fields that a settings table fills, with the table's TSDoc.
 * @example
 * type Smtp = SettingValues<typeof SETTINGS.smtp>; // { host: string; port: number; ... }
 */
export type SettingValues<T> = {
  readonly [K in keyof T]: T[K] extends { readonly kind: string } ? SettingValue<T[K]> : SettingValues<T[K]>;
};

/**
 * The settings of a table that code may override, each optional, with the table's TSDoc.
 * @example
 * type Overrides = SettingOverrides<typeof SETTINGS>; // { admins?: readonly string[]; ... }
 */
export type SettingOverrides<T> = {
  readonly [K in keyof T as T[K] extends { readonly kind: string; readonly envOnly?: undefined }
    ? K
    : never]?: SettingInput<T[K]>;
};
