import { eventGuide } from './aws-fields.js';
import { scrubBody, scrubbedJson } from './bodies.js';
import { CLEANSED_SUBSTITUTE, isSessionCookie, sensitiveNameTest } from './names.js';
import { scrubQueriesInText, scrubQuery } from './queries.js';

/**
 * Name-based scrubbing with the built-in names plus the user's (`ERROR_MAIL_SENSITIVE_NAMES`): a value
 * whose name looks sensitive is replaced by {@link CLEANSED_SUBSTITUTE}, and the name stays visible.
 * One is made per wrapped handler.
 */
export interface Scrubber {
  /** True when a header, parameter, field or variable name must not show its value. */
  isSensitiveName(name: string): boolean;
  /**
   * The value to show for a header, parameter or variable: the substitute when its name is sensitive,
   * else itself with the queries it holds scrubbed (a Referer's, a `next=` URL's).
   */
  value(name: string, value: string): string;
  /** The value to show for a cookie: session cookies are hidden too, queries in the others scrubbed. */
  cookie(name: string, value: string): string;
  /** A raw query string with sensitive values hidden (names compared decoded), keeping the original encoding. */
  query(query: string): string;
  /** A request body for display: JSON key by key at any depth, form bodies field by field, queries in URLs by name. */
  body(text: string, contentType: string | undefined, complete: boolean): string;
  /**
   * An event, a record or a logged value as JSON indented by `indent` spaces (2; 0: on one line):
   * sensitive members hidden, queries scrubbed by parameter name wherever they are (query members,
   * URLs, paths), JSON held in strings scrubbed too. AWS's structural members that merely look
   * sensitive (`routeKey`, `apiId`, an S3 object `key`...) stay visible.
   */
  json(value: unknown, indent?: number): string;
}

/** Creates a {@link Scrubber} that also hides the names `extra` matches. */
export function createScrubber(extra: readonly RegExp[] = []): Scrubber {
  const isSensitiveName = sensitiveNameTest(extra);
  return {
    isSensitiveName,
    value: (name, value) =>
      isSensitiveName(name) ? CLEANSED_SUBSTITUTE : scrubQueriesInText(value, isSensitiveName),
    cookie: (name, value) =>
      isSensitiveName(name) || isSessionCookie(name)
        ? CLEANSED_SUBSTITUTE
        : scrubQueriesInText(value, isSensitiveName),
    query: (raw) => scrubQuery(raw, isSensitiveName),
    json: (value, indent) => scrubbedJson(value, isSensitiveName, indent, eventGuide),
    body: (text, contentType, complete) => scrubBody(text, contentType, complete, isSensitiveName),
  };
}
