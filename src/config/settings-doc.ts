import { docOf } from './describe-setting.js';
import { rangeOf } from './setting-kinds.js';
import { SETTING_LIST } from './setting-list.js';

const HEADER = ['variable', 'meaning', 'default'] as const;

/**
 * The cells of README's "Settings" table, one row per setting in table order: the variable, what it
 * means (with its range, where it has one) and its default, in Markdown.
 * @example
 * settingsTableRows()[0]; // ['`ADMINS`', 'who gets server-error mail', 'empty: no error mail']
 */
export function settingsTableRows(): string[][] {
  return SETTING_LIST.map((entry) => {
    const { setting } = entry;
    const range = rangeOf(setting);
    const within = range === undefined ? '' : ` (${range[0]} to ${range[1]})`;
    const doc = docOf(entry);
    return [`\`${setting.variable}\``, `${doc.meaning}${within}`, doc.default].map((cell) =>
      cell.replaceAll('|', '\\|'),
    );
  });
}

/**
 * README's "Settings" table as Markdown, its columns padded to line up, ending with a newline.
 * @example
 * const table = renderSettingsTable(); // '| variable | meaning | default |\n| --- ...'
 */
export function renderSettingsTable(): string {
  const rows = [[...HEADER], ...settingsTableRows()];
  const widths = HEADER.map((_, column) => Math.max(3, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  const [header, ...body] = rows;
  return [line(header ?? []), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)]
    .map((text) => `${text}\n`)
    .join('');
}

/**
 * The rows of the first table after the `## Settings` heading of a Markdown text, header and
 * separator left out, each split into trimmed cells.
 * @example
 * readSettingsTable(readFileSync('README.md', 'utf8'))[0]; // ['`ADMINS`', 'who gets ...', '...']
 */
export function readSettingsTable(markdown: string): string[][] {
  const { start, end } = locateSettingsTable(markdown);
  return markdown
    .slice(start, end)
    .split('\n')
    .filter((text) => text.startsWith('|'))
    .slice(2)
    .map((text) =>
      text
        .slice(1, text.trimEnd().endsWith('|') ? text.trimEnd().length - 1 : undefined)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim()),
    );
}

/**
 * Where the settings table of a Markdown text starts and ends (after its last line's newline).
 * @throws {Error} when there is no `## Settings` heading followed by a table.
 * @example
 * const { start, end } = locateSettingsTable(readme);
 * const updated = readme.slice(0, start) + renderSettingsTable() + readme.slice(end);
 */
export function locateSettingsTable(markdown: string): { start: number; end: number } {
  const heading = markdown.search(/^## Settings$/m);
  const start = heading === -1 ? -1 : markdown.indexOf('\n|', heading) + 1;
  if (start <= 0) throw new Error('no table under a `## Settings` heading');
  let end = start;
  while (markdown.startsWith('|', end)) {
    const newline = markdown.indexOf('\n', end);
    end = newline === -1 ? markdown.length : newline + 1;
  }
  return { start, end };
}
