import { CLEANSED_SUBSTITUTE } from '../core/scrub/names.js';
import type { SettingSpec, SettingText, SettingTexts } from './setting.js';
import type { SettingEntry } from './setting-list.js';
import { SETTING_TEXTS } from './setting-texts.js';

// What only check-config and the README need: kept out of the module every cold start loads.

const code = (text: string) => `\`${text}\``;

/**
 * The text of one setting, from {@link SETTING_TEXTS}.
 * @example
 * textOf(SETTING_LIST[0]).meaning; // 'who gets server-error mail'
 */
export function textOf({ key, group }: SettingEntry): SettingText {
  const texts = SETTING_TEXTS as SettingTexts<unknown> as Readonly<Record<string, unknown>>;
  const holder = (group === undefined ? texts : texts[group]) as Readonly<Record<string, SettingText>>;
  // The compiler checks that SETTING_TEXTS has an entry for every setting.
  return holder[key] as SettingText;
}

/**
 * How check-config shows the effective value of `spec`.
 * @example
 * showSetting(timeoutEntry, undefined); // '(none)'
 */
export function showSetting(entry: SettingEntry, value: unknown): string {
  const { setting: spec } = entry;
  const text = textOf(entry);
  switch (spec.kind) {
    case 'seconds':
      return value === undefined ? '(none)' : `${value} s`;
    case 'text':
      if (spec.secret) return value === '' ? '(not set)' : CLEANSED_SUBSTITUTE;
      return text.show?.(value as string) ?? (value as string);
    case 'optionalText':
      return (value as string | undefined) ?? text.absent ?? '(none)';
    case 'list':
    case 'patterns': {
      const items = value as readonly (string | RegExp)[];
      return items.length === 0 ? (text.empty ?? '(empty)') : items.map(String).join(', ');
    }
    default:
      return String(value);
  }
}

/**
 * The README row's meaning and default of a setting, in Markdown.
 * @example
 * docOf(appendSlashEntry); // { meaning: 'the trailing-slash redirect rule ...', default: 'true' }
 */
export function docOf(entry: SettingEntry): { readonly meaning: string; readonly default: string } {
  const text = textOf(entry);
  return { meaning: text.meaning, default: text.defaultDoc ?? shownDefault(entry.setting) };
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
