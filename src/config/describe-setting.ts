import { CLEANSED_SUBSTITUTE } from '../core/scrub/names.js';
import type { SettingSpec } from './setting.js';

// What only check-config and the README need: kept out of the module every cold start loads.

const code = (text: string) => `\`${text}\``;

/**
 * How check-config shows the effective value of `spec`.
 * @example
 * showSetting(SETTINGS.smtp.timeoutSeconds, undefined); // '(none)'
 */
export function showSetting(spec: SettingSpec, value: unknown): string {
  switch (spec.kind) {
    case 'seconds':
      return value === undefined ? '(none)' : `${value} s`;
    case 'text':
      if (spec.secret) return value === '' ? '(not set)' : CLEANSED_SUBSTITUTE;
      return spec.show?.(value as string) ?? (value as string);
    case 'optionalText':
      return (value as string | undefined) ?? spec.absent;
    case 'list':
    case 'patterns': {
      const items = value as readonly (string | RegExp)[];
      return items.length === 0 ? spec.empty : items.map(String).join(', ');
    }
    default:
      return String(value);
  }
}

/**
 * The README row's meaning and default of `spec`, in Markdown.
 * @example
 * docOf(SETTINGS.appendSlash); // { meaning: 'the trailing-slash redirect rule ...', default: 'true' }
 */
export function docOf(spec: SettingSpec): { readonly meaning: string; readonly default: string } {
  return { meaning: spec.meaning, default: spec.defaultDoc ?? shownDefault(spec) };
}

/** The README's default when the entry gives no `defaultDoc`. */
function shownDefault(spec: SettingSpec): string {
  switch (spec.kind) {
    case 'bool':
    case 'integer':
      return String(spec.default);
    case 'text':
    case 'oneOf':
      return typeof spec.default === 'string' ? code(spec.default) : '';
    case 'list':
      return spec.default.length === 0 ? 'empty' : spec.default.map(code).join(', ');
    case 'patterns':
      return 'empty';
    default:
      return 'none';
  }
}
