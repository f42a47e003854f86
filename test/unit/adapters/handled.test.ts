import { describe, expect, it } from 'vitest';
import {
  handledReports,
  keptChanged,
  noteHandled,
  settleHandled,
  trackHandled,
  wasHandled,
} from '../../../src/adapters/handled.js';

const invocation = (context: object | undefined, event: object | undefined, startedAt = 1000) => ({
  context,
  event,
  startedAt,
  coldStart: false,
});

describe('wasHandled', () => {
  it('tells the error object reported in the same invocation from the same error in another', () => {
    const error = new Error('reported');
    const context = {};
    noteHandled(error, undefined, context, 1500);

    expect(wasHandled({ kind: 'threw', error }, invocation(context, undefined))).toBe(true);
    expect(wasHandled({ kind: 'threw', error }, invocation({}, undefined))).toBe(false);
    expect(wasHandled({ kind: 'threw', error: new Error('reported') }, invocation(context, undefined))).toBe(
      false,
    );
  });

  it('counts a returned 5xx of an invocation that reported, and not of another', () => {
    const context = {};
    noteHandled(new Error('x'), undefined, context, 1500);

    const returned = { kind: 'returned', result: { statusCode: 500 } } as const;
    expect(wasHandled(returned, invocation(context, undefined))).toBe(true);
    expect(wasHandled(returned, invocation({}, undefined))).toBe(false);
  });

  it('places a report given only the event by its event', () => {
    const error = new Error('by event');
    const event = {};
    noteHandled(error, event, undefined, 1500);

    expect(wasHandled({ kind: 'threw', error }, invocation({}, event))).toBe(true);
    expect(wasHandled({ kind: 'threw', error }, invocation({}, {}))).toBe(false);
  });

  it('counts a report given neither for the invocation that started before it, not for a later one', () => {
    const error = new Error('unplaced');
    noteHandled(error, undefined, undefined, 5000);

    expect(wasHandled({ kind: 'threw', error }, invocation({}, {}, 4000))).toBe(true);
    expect(wasHandled({ kind: 'threw', error }, invocation({}, {}, 6000))).toBe(false);
  });
});

describe('settleHandled', () => {
  it('waits for the sends of its invocation and of none, not for another invocation’s', async () => {
    const mine = {};
    const other = {};
    const order: string[] = [];
    let finishOther: () => void = () => {};
    trackHandled(
      Promise.resolve().then(() => void order.push('mine')),
      undefined,
      mine,
    );
    trackHandled(
      Promise.resolve().then(() => void order.push('unplaced')),
      undefined,
      undefined,
    );
    trackHandled(new Promise<void>((resolve) => (finishOther = resolve)), undefined, other);

    await settleHandled(undefined, mine);

    expect(order.sort()).toEqual(['mine', 'unplaced']);
    expect(handledReports.waiting).toBe(1);
    finishOther();
    await settleHandled(undefined, other);
    expect(handledReports.waiting).toBe(0);
    expect(settleHandled(undefined, mine)).toBeUndefined();
  });

  it('sends the kept reports of a reporter that holds some, with the invocation’s context', async () => {
    const contexts: unknown[] = [];
    const sendKept = async (context: unknown) => void contexts.push(context);
    const context = {};
    keptChanged(sendKept, true);

    await settleHandled(undefined, context);
    keptChanged(sendKept, false);

    expect(contexts).toEqual([context]);
    expect(handledReports.waiting).toBe(0);
    expect(settleHandled(undefined, context)).toBeUndefined();
  });
});
