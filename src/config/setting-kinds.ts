import { type Env, INVALID, type Report, type SettingSpec } from './setting.js';
import { parseBoolean, parseList } from './values.js';

// How each kind of setting is read and checked: a few functions, each a switch on the kind, over a
// table of plain data. Every function a cold start calls is compiled then; building the table from
// a class or factory per kind cost about 0.5 ms more at cold start.

const LIST = 'a comma-separated list, or a JSON array of strings';

/**
 * What a readable value of `spec` looks like: the problem of a value that cannot be read.
 * @example
 * expectedOf({ kind: 'integer', range: [1, 65535], ... }); // 'a whole number from 1 to 65535'
 */
export function expectedOf(spec: SettingSpec): string {
  switch (spec.kind) {
    case 'bool':
      return 'true or false (also 1/0, yes/no, on/off)';
    case 'integer':
      return `a whole number from ${spec.range[0]} to ${spec.range[1]}`;
    case 'seconds':
      return 'a number of seconds greater than 0';
    case 'text':
      return spec.rule?.expected ?? 'a string';
    case 'optionalText':
      return spec.rule.expected;
    case 'oneOf':
      return `one of ${spec.values.map((value) => `"${value}"`).join(', ')}`;
    default:
      return LIST;
  }
}

/**
 * The value of `spec` when its variable is not set.
 * @example
 * fallbackOf(SETTINGS.subjectPrefix, { AWS_LAMBDA_FUNCTION_NAME: 'shop' }); // '[shop] '
 */
export function fallbackOf(spec: SettingSpec, env: Env): unknown {
  switch (spec.kind) {
    case 'text':
    case 'oneOf':
      return typeof spec.default === 'function' ? spec.default(env) : spec.default;
    case 'bool':
    case 'integer':
    case 'list':
      return spec.default;
    case 'optionalText':
      return '';
    case 'patterns':
      return [];
    default:
      return undefined;
  }
}

/**
 * Reads the variable's raw string; {@link INVALID} when it cannot. `note` adds a cold-start note.
 * @example
 * parseSetting(SETTINGS.debug, 'express:*', notes.push); // false, and a note
 */
export function parseSetting(spec: SettingSpec, raw: string, note: (text: string) => void): unknown {
  switch (spec.kind) {
    case 'bool': {
      const parsed = parseBoolean(raw);
      if (parsed !== undefined || spec.lenient === undefined) return parsed ?? INVALID;
      note(spec.lenient(JSON.stringify(raw)));
      return spec.default;
    }
    case 'integer': {
      if (raw.trim() === '') return spec.default;
      const value = Number(raw.trim());
      return allows(spec.range, value) ? value : INVALID;
    }
    case 'seconds': {
      if (raw.trim() === '') return undefined;
      const value = Number(raw.trim());
      return Number.isFinite(value) && value > 0 ? value : INVALID;
    }
    case 'text':
      return raw === '' && spec.emptyIsUnset && typeof spec.default === 'string' ? spec.default : raw;
    case 'list':
    case 'patterns':
      return parseList(raw) ?? INVALID;
    // One of a few names is checked with the overrides, in `finishSetting`, where its problem has its place.
    default:
      return raw;
  }
}

/**
 * Checks the merged value of `spec` (from the environment or from code) and returns what the Config holds.
 * @example
 * finishSetting(SETTINGS.maxBytes, 5, report); // reports 5 as out of range
 */
export function finishSetting(spec: SettingSpec, value: unknown, report: Report): unknown {
  switch (spec.kind) {
    case 'integer':
      // Only an override can fail here: `parseSetting` has checked the environment.
      if (!allows(spec.range, value)) report(String(value), expectedOf(spec));
      return value;
    case 'text':
      if (spec.rule !== undefined && !spec.rule.test(value as string))
        report(value as string, spec.rule.expected);
      return value;
    case 'optionalText':
      if (value === '') return undefined;
      if (!spec.rule.test(value as string)) report(value as string, spec.rule.expected);
      return value;
    case 'oneOf':
      if (!spec.values.includes(value as string)) report(value as string, expectedOf(spec));
      return value;
    case 'list':
      if (spec.each !== undefined) {
        for (const item of value as readonly string[]) {
          if (!spec.each.test(item)) report(item, spec.each.expected);
        }
      }
      return value;
    case 'patterns':
      return compilePatterns(spec, value as readonly (string | RegExp)[], report);
    default:
      return value;
  }
}

/**
 * The whole numbers `spec` allows, from the environment and in code alike; undefined for a non-number.
 * @example
 * rangeOf(SETTINGS.smtp.port); // [1, 65535]
 */
export function rangeOf(spec: SettingSpec): readonly [min: number, max: number] | undefined {
  return spec.kind === 'integer' ? spec.range : undefined;
}

/**
 * True for a setting whose value is never echoed: neither in a ConfigError nor by check-config.
 * @example
 * isSecret(SETTINGS.smtp.password); // true
 */
export function isSecret(spec: SettingSpec): boolean {
  return spec.kind === 'text' && spec.secret === true;
}

function allows([min, max]: readonly [number, number], value: unknown): boolean {
  return Number.isInteger(value) && (value as number) >= min && (value as number) <= max;
}

/** Compiles each string with `compile`; a RegExp given in code is kept, without `g` and `y`. */
function compilePatterns(
  spec: Extract<SettingSpec, { kind: 'patterns' }>,
  sources: readonly (string | RegExp)[],
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
      compiled.push(spec.compile(source));
    } catch (error) {
      report(source, `${spec.expected} (${(error as Error).message})`);
    }
  }
  return compiled;
}
