import { parseParameters } from '../input/params.js';
import {
  cutBytes,
  findHeader,
  iriToUri,
  type NameValue,
  type RequestBody,
  type RequestInfo,
} from '../input/request.js';
import type { TriggerInfo } from '../input/trigger.js';
import type { Scrubber } from '../scrub/scrubber.js';
import { capChars, capItems, type Limits } from './limits.js';
import type { ReportInputs, ShownBody, ShownEvent, ShownRequest } from './types.js';

// The parts of a request and an event as a report shows them: scrubbed, capped, what was left out counted.

// A subject stays one readable line: the path in it is cut shorter than the URL in the body.
export const SUBJECT_PATH_CHARS = 300;

/** Django's `get_full_path()` with sensitive query values hidden: a URI, as Django writes it. */
export function scrubbedFullPath(scrubber: Scrubber, request: RequestInfo): string {
  return request.rawQuery === ''
    ? request.escapedPath
    : `${request.escapedPath}?${iriToUri(scrubber.query(request.rawQuery))}`;
}

function byName([a]: NameValue, [b]: NameValue): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

export function showEvent(
  { scrubber, limits }: ReportInputs,
  trigger: TriggerInfo,
  failedIds: readonly string[] | undefined,
): ShownEvent {
  const ids = (all: readonly string[]) =>
    capItems(
      all.slice(0, limits.items).map((id) => [capChars(id, 256), ''] as const),
      limits.items,
      all.length,
    ).map(([id, rest]) => (id === '...' ? `... ${rest}` : id));
  return {
    trigger: trigger.kind,
    source: trigger.source,
    details: (trigger.details ?? [])
      .slice(0, limits.items)
      .map(([name, value]) => [name, capChars(scrubber.value(name, value), limits.valueChars)] as const),
    recordCount: trigger.recordCount,
    recordIds: ids(trigger.recordIds),
    failedIds: failedIds === undefined ? undefined : ids(failedIds),
    firstRecord: capChars(scrubber.json(trigger.firstRecord), limits.bodyBytes),
  };
}

export function showRequest(inputs: ReportInputs, request: RequestInfo): ShownRequest {
  const { scrubber, limits } = inputs;
  return {
    method: capChars(request.method, 64),
    url: capChars(
      // Django's build_absolute_uri: the whole URL through iri_to_uri, the host included.
      `${iriToUri(`${request.scheme}://${request.host ?? ''}`)}${scrubbedFullPath(scrubber, request)}`,
      limits.urlChars,
    ),
    query: countedItems(parseParameters(request.rawQuery), limits, scrubber.value),
    headers: countedItems([...request.headers].sort(byName), limits, scrubber.value),
    cookies: countedItems(request.cookies, limits, scrubber.cookie),
    body: request.body === undefined ? undefined : showBody(inputs, request.body, request.headers),
  };
}

/** The first `limits.items` entries, each value scrubbed and capped, and a count of the rest. */
function countedItems(
  items: readonly NameValue[],
  limits: Limits,
  scrub: (name: string, value: string) => string,
): readonly NameValue[] {
  const shown = items
    .slice(0, limits.items)
    .map(([name, value]) => [capChars(name, 256), capChars(scrub(name, value), limits.valueChars)] as const);
  return capItems(shown, limits.items, items.length);
}

function showBody(
  { scrubber, limits }: ReportInputs,
  body: RequestBody,
  headers: readonly NameValue[],
): ShownBody {
  const base = { bytes: body.bytes, binary: body.binary, decodedFromBase64: body.wasBase64 };
  if (body.binary) return { ...base, text: '', omittedBytes: body.bytes };
  const kept = cutBytes(body.text, limits.bodyBytes);
  const omittedBytes = body.omittedBytes + Buffer.byteLength(body.text) - Buffer.byteLength(kept);
  return {
    ...base,
    text: scrubber.body(kept, findHeader(headers, 'content-type'), omittedBytes === 0),
    omittedBytes,
  };
}
