import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import type { SendTime } from '../../src/index.js';
import { createSesTransport } from '../../src/transports/ses.js';
import { mailsMarked, readMailbox } from '../helpers/local-ses.js';

const sesUrl = inject('sesUrl');
const AT_128_MB = 128 / 1769;

/** A send's time at 128 MB whose `leftMs` answers `lefts` in turn (then the last one again). */
function scripted(...lefts: number[]): SendTime {
  let calls = 0;
  return {
    leftMs: () => lefts[Math.min(calls++, lefts.length - 1)] as number,
    untilDeadlineMs: () => undefined,
    cpuShare: AT_128_MB,
  };
}

// The transport's first send in this file's fresh module graph (vitest runs each file in its own):
// each step that cannot be stopped is taken only when it fits; what was taken stays taken.
describe('the SES transport, at the CPU share of 128 MB, with little time', () => {
  it('takes one step per send when each has room for one, then sends the mail through the real SES client', async () => {
    const marker = randomUUID();
    const transport = createSesTransport();
    const mail = {
      from: 'errors@example.com',
      to: ['ops@example.com'],
      subject: `[${marker}] first send in steps`,
      text: 'The first report of a small container.',
      html: undefined,
    };
    const signal = new AbortController().signal;
    const send = (time: SendTime) => transport.send(mail, signal, time).catch((error: unknown) => error);

    // 1,000 ms are not enough to load the SES client at 7.2% of a vCPU (about 1,590 ms).
    const first = await send(scripted(1000));
    // Room for the client, then not for the composer; then again no room: it stops there again.
    const second = await send(scripted(1600, 300));
    const secondAgain = await send(scripted(300));
    // Room for the composer, then not for the first composing (and again, none).
    const third = await send(scripted(600, 300));
    const thirdAgain = await send(scripted(300));
    // Room for composing, then not for the first request (and again, none).
    const fourth = await send(scripted(600, 300));
    const fourthAgain = await send(scripted(300));
    const before = (await readMailbox(sesUrl)).filter((stored) => stored.subject.includes(marker));
    // Everything is loaded and composed once: the first request has room.
    const fifth = await send(scripted(800));

    expect(String(first)).toBe(
      'NotInTimeError: loading the SES client was not started: it takes about 1590 ms at 7.2% of a vCPU, and 1000 ms of the send budget were left; a later send takes it',
    );
    expect(String(second)).toMatch(
      /^NotInTimeError: loading nodemailer's composer was not started: it takes about 484 ms/,
    );
    expect(String(third)).toMatch(
      /^NotInTimeError: this container's first composing was not started: it takes about 553 ms/,
    );
    expect(String(fourth)).toMatch(
      /^NotInTimeError: this container's first SES request was not started: it takes about 692 ms/,
    );
    // What a refused send did not finish, the next send does not skip.
    expect(String(secondAgain)).toMatch(/^NotInTimeError: loading nodemailer's composer was not started/);
    expect(String(thirdAgain)).toMatch(/^NotInTimeError: this container's first composing was not started/);
    expect(String(fourthAgain)).toMatch(
      /^NotInTimeError: this container's first SES request was not started/,
    );
    expect(before).toEqual([]);
    expect(fifth).toBeUndefined();
    expect(await mailsMarked(sesUrl, marker)).toHaveLength(1);
  });
});
