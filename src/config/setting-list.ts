import type { SettingSpec, SettingTable } from './setting.js';
import { SETTINGS } from './settings.js';

/**
 * One setting of {@link SETTINGS} and where its value goes: `config[key]`, or `config[group][key]`.
 * @example
 * const { setting, group, key } = SETTING_LIST[0]; // ADMINS, undefined, 'admins'
 */
export interface SettingEntry {
  readonly key: string;
  readonly group: string | undefined;
  readonly setting: SettingSpec;
}

/**
 * Every setting of {@link SETTINGS}, flattened, in table order.
 * @example
 * SETTING_LIST.map((entry) => entry.setting.variable); // ['ADMINS', 'MANAGERS', ...]
 */
export const SETTING_LIST: readonly SettingEntry[] = [];

// Top-level loops, not a function: the module's own code is compiled with it, a function is compiled
// again when first called, and this runs at every cold start.
for (const key in SETTINGS) {
  const node = (SETTINGS as SettingTable)[key] as SettingTable[string];
  if (typeof node.variable === 'string') {
    (SETTING_LIST as SettingEntry[]).push({
      key,
      group: undefined,
      setting: node as SettingSpec,
    });
    continue;
  }
  const group = node as Readonly<Record<string, SettingSpec>>;
  for (const field in group) {
    (SETTING_LIST as SettingEntry[]).push({
      key: field,
      group: key,
      setting: group[field] as SettingSpec,
    });
  }
}
