import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const REPOSITORY = 'https://github.com/lambda-error-mail/lambda-error-mail';
const README = readFileSync(`${ROOT}README.md`, 'utf8');
const manifest = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as {
  homepage?: string;
  repository?: { url?: string };
  bugs?: { url?: string };
};

/** Every link and image target in the README: inline `[x](target)`, `[x]: target`, and HTML src/href. */
function linkTargets(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, '');
  return [
    ...[...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\)/g)].map((match) => match[1] ?? ''),
    ...[...prose.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((match) => match[1] ?? ''),
    ...[...prose.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? ''),
  ];
}

/** The files `npm pack` puts in the package, by their path inside it. */
async function packedFiles(): Promise<string[]> {
  // --ignore-scripts: the list comes from `files`; building here would rewrite dist/ under other tests.
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT,
    timeout: 60_000,
  });
  const [pack] = JSON.parse(stdout) as [{ files: { path: string }[] }];
  return pack.files.map((file) => file.path);
}

describe('the README that ships in the package', () => {
  it('links only to files the package holds, or by absolute URL', async () => {
    const files = await packedFiles();

    const targets = linkTargets(README);
    const broken = targets
      .filter((target) => !/^(https?:|mailto:|#)/.test(target))
      .map((target) => target.replace(/[#?].*$/, '').replace(/^\.\//, ''))
      .filter(
        (path) => !files.some((file) => file === path || file.startsWith(`${path.replace(/\/$/, '')}/`)),
      );

    expect(files).toContain('README.md');
    expect(targets.length).toBeGreaterThan(5);
    expect(broken).toEqual([]);
  });

  it('points its absolute links into this repository at files the repository holds', () => {
    const inRepository = linkTargets(README)
      .map((target) =>
        target.match(
          /^https:\/\/(?:github\.com\/lambda-error-mail\/lambda-error-mail\/(?:blob|tree)|raw\.githubusercontent\.com\/lambda-error-mail\/lambda-error-mail)\/main\/([^#?]+)/,
        ),
      )
      .flatMap((match) => (match?.[1] === undefined ? [] : [match[1]]));

    const missing = inRepository.filter((path) => !existsSync(`${ROOT}${decodeURIComponent(path)}`));

    expect(inRepository).toEqual(expect.arrayContaining(['BENCHMARKS.md', 'SECURITY.md', 'docs/mail.png']));
    expect(missing).toEqual([]);
  });

  it('names the repository, the home page and the issue tracker in package.json', () => {
    expect(manifest.repository?.url).toBe(`git+${REPOSITORY}.git`);
    expect(manifest.homepage).toBe(`${REPOSITORY}#readme`);
    expect(manifest.bugs?.url).toBe(`${REPOSITORY}/issues`);
  });
});
