import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DEFAULT_ENDS, DEFAULT_STARTS, type DjangoCase } from './cases.js';
import type { ShownMail } from './library.js';

/** Debian's Python, which carries Django; the `python3` on PATH may be another interpreter. */
export const PYTHON = '/usr/bin/python3';

/** What Django did with one case. */
export interface OracleResult {
  readonly id: number;
  readonly status: number;
  /** The Referer sent, with the request's own full path filled in. */
  readonly referer: string | null;
  readonly mails: readonly ShownMail[];
}

/** The version of Django `/usr/bin/python3` imports, or `undefined` when it has none. */
export function djangoVersion(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import django; print(django.get_version())'], { encoding: 'utf8' });
  return probe.status === 0 ? probe.stdout.trim() : undefined;
}

/** Runs every case through real Django in one Python process. */
export function runOracle(cases: readonly DjangoCase[]): OracleResult[] {
  const input = cases.map((c) => ({
    ...c,
    settings: {
      ...c.settings,
      starts: c.settings.starts ?? DEFAULT_STARTS,
      ends: c.settings.ends ?? DEFAULT_ENDS,
    },
  }));
  const script = fileURLToPath(new URL('./oracle.py', import.meta.url));
  const run = spawnSync(PYTHON, [script], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  if (run.status !== 0) throw new Error(`the Django oracle failed (${run.status}): ${run.stderr}`);
  return (JSON.parse(run.stdout) as { results: OracleResult[] }).results;
}

const STARS = '********************';
const SUBJECT_PATH_CHARS = 300;
// The longest escape Python's unicode_escape writes: `\U0001f600`.
const LONGEST_ESCAPE = 10;

/**
 * Django's mail turned into the mail we send on purpose (README, "Where we differ from Django, on
 * purpose"): a secret query value hidden in the Request URL, the Requested URL and the Referrer, the
 * report's title showing the path
 * escaped as the log line shows it, and a REST query as it can be rebuilt. The subject's cut is
 * checked apart (see {@link subjectDiffers}).
 */
export function expectedFromDjango(c: DjangoCase, django: ShownMail): ShownMail {
  const hide = (line: string) =>
    c.secret === undefined ? line : line.replace(`api_key=${c.secret}`, `api_key=${STARS}`);
  const query = (line: string) =>
    c.restShownQuery === undefined ? line : `${line.slice(0, line.indexOf('?') + 1)}${c.restShownQuery}`;
  if (django.body !== undefined) {
    const body = django.body
      .split('\n')
      .map((line) => {
        if (line.startsWith('Requested URL: ')) return hide(query(line));
        // The Referer's own query is scrubbed by name too (the cases' Referers reuse the secret).
        return line.startsWith('Referrer: ') ? hide(line) : line;
      })
      .join('\n');
    return { ...django, body };
  }
  const path = django.firstLine?.slice(django.firstLine.indexOf(': ') + 2);
  return {
    ...django,
    title: c.outcome === 'throw' ? `Error at ${path}` : `Report at ${path}`,
    url: django.url === null || django.url === undefined ? django.url : hide(query(django.url)),
  };
}

/**
 * Why our subject is not Django's, or `undefined` when it is: equal, except that a path longer than
 * 300 characters (as escaped) is cut there, never inside an escape, and ends with an ellipsis.
 */
export function subjectDiffers(django: string, ours: string): string | undefined {
  if (django === ours) return undefined;
  const at = django.indexOf(' IP): ');
  const pathAt = at === -1 ? -1 : django.indexOf(': ', at + 6) + 2;
  if (pathAt < 2) return 'subject';
  const path = django.slice(pathAt);
  const cut = ours.slice(pathAt);
  if (path.length <= SUBJECT_PATH_CHARS || ours.slice(0, pathAt) !== django.slice(0, pathAt))
    return 'subject';
  if (!cut.endsWith('\u2026')) return 'subject (a long path without the ellipsis)';
  const kept = cut.slice(0, -1);
  const fair = kept.length <= SUBJECT_PATH_CHARS && kept.length > SUBJECT_PATH_CHARS - LONGEST_ESCAPE;
  return fair && path.startsWith(kept) ? undefined : 'subject (a long path cut elsewhere)';
}

/** Every field in which our mails differ from the mails Django would send, as one line each. */
export function differences(
  c: DjangoCase,
  django: readonly ShownMail[],
  ours: readonly ShownMail[],
): string[] {
  const out: string[] = [];
  const show = (value: unknown) => JSON.stringify(value);
  if (django.length !== ours.length) {
    return [
      `#${c.id} mails: django sent ${django.length} ${show(django.map((m) => m.subject))}, we sent ${ours.length} ${show(ours.map((m) => m.subject))}`,
    ];
  }
  django.forEach((real, index) => {
    const mine = ours[index]!;
    const wanted = expectedFromDjango(c, real);
    const subject = subjectDiffers(wanted.subject, mine.subject);
    if (subject !== undefined)
      out.push(`#${c.id} ${subject}: django ${show(real.subject)}, ours ${show(mine.subject)}`);
    for (const field of ['to', 'from', 'body', 'firstLine', 'title', 'method', 'url'] as const) {
      if (show(wanted[field]) !== show(mine[field])) {
        out.push(
          `#${c.id} ${field}: django ${show(real[field])}, expected ${show(wanted[field])}, ours ${show(mine[field])}`,
        );
      }
    }
  });
  return out;
}
