// Rewrites the table under README.md's "## Settings" heading from the settings table
// (src/config/settings.ts). `npm run docs:settings`; test/unit/config/settings.test.ts fails
// until the two agree.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const readme = new URL('../README.md', import.meta.url);
const { outputFiles } = await build({
  entryPoints: [fileURLToPath(new URL('../src/config/settings-doc.ts', import.meta.url))],
  bundle: true,
  format: 'esm',
  platform: 'node',
  write: false,
  logLevel: 'warning',
});
const source = outputFiles[0].text;
const { locateSettingsTable, renderSettingsTable } = await import(
  `data:text/javascript;base64,${Buffer.from(source).toString('base64')}`
);

const text = await readFile(readme, 'utf8');
const { start, end } = locateSettingsTable(text);
const updated = text.slice(0, start) + renderSettingsTable() + text.slice(end);
if (updated === text) {
  console.log('README.md: the settings table is up to date');
} else {
  await writeFile(readme, updated);
  console.log('README.md: the settings table is rewritten from src/config/settings.ts');
}
