import { handledReports, settleReported } from './handled.js';
import { failed, type Runtime, settleWatch, startTime } from './runtime.js';

// What the Lambda runtime looks for on a response-streaming handler (awslambda.streamifyResponse).
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HIGH_WATER_MARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');

/** True for a handler that `awslambda.streamifyResponse` marked. */
export function isStreaming(handler: unknown): boolean {
  return (handler as Record<symbol, unknown>)[STREAMING] === 'response';
}

interface ObservableStream {
  on?(event: symbol, listener: (error: unknown) => void): unknown;
  off?(event: symbol, listener: (error: unknown) => void): unknown;
}
export type StreamingHandler = (
  event: unknown,
  responseStream: ObservableStream,
  context: unknown,
) => unknown;

/**
 * A response-streaming handler: `(event, responseStream, context)`. Reports
 * what the handler throws and what the response stream emits as an error
 * while the handler runs; keeps the markers the runtime reads.
 */
export function wrapStreaming(handler: StreamingHandler, runtime: Runtime): (...args: never[]) => unknown {
  // Read here, not imported: an ES module import of node:events costs every cold start about 0.5 ms.
  const { errorMonitor } = process.getBuiltinModule('node:events');
  async function errorMailStreamingHandler(
    event: unknown,
    responseStream: ObservableStream,
    context: unknown,
  ): Promise<unknown> {
    // Once the timeout is known, NaN (no clock read): a report finds the start from the deadline.
    const startedAt = startTime(runtime, context);
    const logs = runtime.logs;
    const logMark = logs === undefined ? undefined : logs.begin(context, startedAt);
    const watch = runtime.watch(event, context, startedAt, undefined, logMark);
    const sendingKept = runtime.sendKept === undefined ? undefined : runtime.sendKept(context);
    let streamError: unknown;
    // errorMonitor observes 'error' without handling it: an unhandled stream error stays unhandled.
    const monitor = (error: unknown) => {
      streamError ??= error;
    };
    responseStream?.on?.(errorMonitor, monitor);
    try {
      const returned = handler(event, responseStream, context);
      if (logMark !== undefined) logs?.called(logMark);
      const result = await returned;
      if (logMark !== undefined) logs?.end(logMark);
      await settleWatch(runtime, watch);
      if (streamError !== undefined) {
        await runtime.report({ kind: 'threw', error: streamError }, event, context, startedAt, logMark);
      }
      if (sendingKept !== undefined) await sendingKept;
      if (handledReports.waiting !== 0) await settleReported(event, context);
      return result;
    } catch (error) {
      if (logMark !== undefined) logs?.end(logMark);
      return await failed(runtime, error, event, context, startedAt, watch, sendingKept, logMark);
    } finally {
      responseStream?.off?.(errorMonitor, monitor);
    }
  }
  const marked = errorMailStreamingHandler as unknown as Record<symbol, unknown>;
  const source = handler as unknown as Record<symbol, unknown>;
  marked[STREAMING] = source[STREAMING];
  if (HIGH_WATER_MARK in source) marked[HIGH_WATER_MARK] = source[HIGH_WATER_MARK];
  return errorMailStreamingHandler as unknown as (...args: never[]) => unknown;
}
