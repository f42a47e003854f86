import { isInternalReferer } from '../decide/ignorable-404.js';
import type { RequestInfo } from '../input/request.js';
import { unicodeEscapeLine } from '../text.js';
import { capChars } from './limits.js';
import { SUBJECT_PATH_CHARS, scrubbedFullPath } from './shown.js';
import type { BrokenLinkReport, ReportInputs } from './types.js';

/** Builds the MANAGERS report for a 404 that passed the ignore rules. */
export function buildBrokenLinkReport(inputs: ReportInputs, request: RequestInfo): BrokenLinkReport {
  const { config, limits } = inputs;
  const host = request.host ?? '';
  const referer = request.referer ?? '';
  const internal = isInternalReferer(referer, host);
  return {
    kind: 'broken-link',
    subject: `${config.subjectPrefix}Broken ${internal ? 'INTERNAL ' : ''}link on ${unicodeEscapeLine(host, SUBJECT_PATH_CHARS)}`,
    // A page's own query can carry a token (a reset link, a signed URL): hidden by name, as everywhere.
    referer: capChars(inputs.scrubber.value('Referer', referer), limits.urlChars),
    requestedUrl: capChars(scrubbedFullPath(inputs.scrubber, request), limits.urlChars),
    userAgent: capChars(request.userAgent ?? '<none>', limits.valueChars),
    ip: capChars(request.sourceIp ?? '<none>', limits.valueChars),
    repeats: undefined,
    mailsBefore: 0,
  };
}
