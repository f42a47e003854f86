import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { type DjangoCase, generateCases, unrecoverableRestCases } from '../django/cases.js';
import { differences, djangoVersion, type OracleResult, PYTHON, runOracle } from '../django/compare.js';
import { runLibrary, type ShownMail, showStored } from '../django/library.js';
import { readMailbox } from '../helpers/local-ses.js';

// The README says "Django's rules, exactly": the same requests go to real Django (Debian's
// python3-django, test/django/oracle.py) and to the library, and the mails must agree, except where
// the README lists a difference on purpose (test/django/compare.ts encodes each one).

const SEED = 20_260_611;
const COUNT = 400;
const version = djangoVersion();
const skipped = `skipped: ${PYTHON} cannot import django (install Debian's python3-django)`;
if (version === undefined) console.warn(`Django differential test ${skipped}`);

describe.skipIf(version === undefined)(`the library against real Django ${version ?? `(${skipped})`}`, () => {
  const sesUrl = inject('sesUrl');
  const marker = randomUUID();
  const cases: DjangoCase[] = [...generateCases(SEED, COUNT, marker), ...unrecoverableRestCases(COUNT)];
  const django = new Map<number, OracleResult>();
  const ours = new Map<number, readonly ShownMail[]>();

  beforeAll(async () => {
    for (const result of runOracle(cases)) django.set(result.id, result);
    for (const c of cases) ours.set(c.id, await runLibrary(c, django.get(c.id)?.referer ?? null));
    // Every send was awaited before its handler returned: the emulator holds them all now.
    const stored = (await readMailbox(sesUrl)).filter((mail) => mail.subject.startsWith(`[${marker}-`));
    for (const c of cases.filter((x) => x.viaSes)) {
      ours.set(
        c.id,
        stored.filter((mail) => mail.subject.startsWith(`[${marker}-${c.id}] `)).map(showStored),
      );
    }
  });

  /** The differences found, and a message that says in how many of the cases. */
  function differing(selected: readonly DjangoCase[]): [string[], string] {
    const found = selected.map((c) => differences(c, django.get(c.id)?.mails ?? [], ours.get(c.id) ?? []));
    const cases = found.filter((lines) => lines.length > 0).length;
    return [found.flat(), `${cases} of ${selected.length} cases differ from Django`];
  }

  it('gives Django a fair share of every kind of request', () => {
    const mails = cases.flatMap((c) => django.get(c.id)?.mails ?? []);

    expect(django.size).toBe(cases.length);
    expect(mails.filter((m) => m.body !== undefined).length).toBeGreaterThan(30);
    expect(mails.filter((m) => m.firstLine !== undefined).length).toBeGreaterThan(80);
    expect(mails.filter((m) => /\\x|\\u|\\U/.test(m.subject)).length).toBeGreaterThan(20);
    expect(cases.filter((c) => (django.get(c.id)?.mails.length ?? 0) === 0).length).toBeGreaterThan(50);
    expect(cases.filter((c) => c.front === 'rest').length).toBeGreaterThan(50);
    // Each difference on purpose is met: a path too long for the subject, a secret in the query, a
    // REST query that cannot be rebuilt as it travelled.
    expect(mails.filter((m) => m.subject.length > 400).length).toBeGreaterThan(3);
    expect(
      cases.filter((c) => c.secret !== undefined && (django.get(c.id)?.mails.length ?? 0) > 0).length,
    ).toBeGreaterThan(10);
    expect(
      cases.filter((c) => c.restShownQuery !== undefined && (django.get(c.id)?.mails.length ?? 0) > 0),
    ).toHaveLength(4);
  });

  it('sends the mails Django sends: recipients, From, subject, broken-link body, report lines', () => {
    const inProcess = cases.filter((c) => !c.viaSes);

    const [found, message] = differing(inProcess);

    expect(found, message).toEqual([]);
  });

  it('sends the same through the real SES client to the local SES', () => {
    const throughSes = cases.filter((c) => c.viaSes);

    const [found, message] = differing(throughSes);

    expect(throughSes.length).toBeGreaterThan(20);
    expect(throughSes.filter((c) => (ours.get(c.id)?.length ?? 0) > 0).length).toBeGreaterThan(5);
    expect(found, message).toEqual([]);
  });
});
