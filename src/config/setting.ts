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
  readonly [K in keyof T]: T[K] extends { finish(...args: never[]): infer V } ? V : SettingValues<T[K]>;
};

/**
 * The settings of a table that code may override, each optional, with the table's TSDoc.
 * @example
 * type Overrides = SettingOverrides<typeof SETTINGS>; // { admins?: readonly string[]; ... }
 */
export type SettingOverrides<T> = {
  readonly [K in keyof T as T[K] extends { readonly overridable: true } ? K : never]?: T[K] extends {
    finish(value: infer In, ...rest: never[]): unknown;
  }
    ? In
    : never;
};

/**
 * The options every kind of setting takes: its variable and its README text.
 * @example
 * const doc: Doc = { variable: 'DEBUG', meaning: 'true: send nothing' };
 */
export interface Doc {
  /** The environment variable. */
  readonly variable: string;
  /** README: what the setting means, in Markdown. */
  readonly meaning: string;
  /** README: the default in words, when saying the value is not enough. */
  readonly defaultDoc?: string;
  /** See {@link Setting.checkedLast}. */
  readonly checkedLast?: true;
}
