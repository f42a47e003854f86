import { describe, expect, it } from 'vitest';
import { bodyNote, repeatsLine } from '../../../../src/core/render/notes.js';
import type { ShownBody } from '../../../../src/core/report/types.js';

function body(overrides: Partial<ShownBody>): ShownBody {
  return { text: 'a=1', bytes: 3, omittedBytes: 0, binary: false, decodedFromBase64: false, ...overrides };
}

describe('repeatsLine', () => {
  it('says nothing when flood control held nothing back', () => {
    expect(repeatsLine(undefined, 'This error')).toBeUndefined();
  });

  it('says "once" for one held-back repeat, with when it started and which settings held it', () => {
    const line = repeatsLine({ count: 1, since: '2026-11-25T03:50:00.000Z' }, 'This error');

    expect(line).toBe(
      'This error happened once since 2026-11-25T03:50:00.000Z without a mail ' +
        '(flood control: ERROR_MAIL_THROTTLE_SECONDS, ERROR_MAIL_MAX_PER_MINUTE).',
    );
  });

  it('counts many held-back repeats with thousands separators', () => {
    const line = repeatsLine({ count: 12_345, since: '2026-11-25T03:50:00.000Z' }, 'This broken link');

    expect(line).toMatch(/^This broken link happened 12,345 more times since 2026-11-25T03:50:00\.000Z /);
  });
});

describe('bodyNote', () => {
  it('says nothing for a whole text body', () => {
    expect(bodyNote(body({}))).toBeUndefined();
  });

  it('counts the bytes left out of a cut body', () => {
    expect(bodyNote(body({ bytes: 70_000, omittedBytes: 4_464 }))).toBe('... 4,464 more bytes not shown');
  });

  it('says a body arrived in base64', () => {
    expect(bodyNote(body({ decodedFromBase64: true }))).toBe('decoded from base64');
  });

  it('joins a cut and a base64 note', () => {
    const note = bodyNote(body({ bytes: 70_000, omittedBytes: 10, decodedFromBase64: true }));

    expect(note).toBe('... 10 more bytes not shown; decoded from base64');
  });

  it('gives the size of a binary body that is not shown, without the base64 note', () => {
    const note = bodyNote(
      body({ text: '', bytes: 2048, omittedBytes: 2048, binary: true, decodedFromBase64: true }),
    );

    expect(note).toBe('binary body of 2,048 bytes not shown');
  });
});
