import { type ErrorInfo, stackText } from '../input/error-chain.js';
import type { NameValue } from '../input/request.js';
import type { BrokenLinkReport, ServerErrorReport } from '../report/types.js';
import { formatCount, quote } from '../text.js';
import { bodyNote, delayedLine, earlierLines, repeatsLine } from './notes.js';

/**
 * The invocation's log lines: each with its time from the start and its level in columns, a line's
 * own line breaks indented under its text; nothing when logs are not captured.
 */
function logLines(report: ServerErrorReport): string[] {
  const logs = report.logs;
  if (logs === undefined) return [];
  const title = 'Log lines (this invocation):';
  if (logs.kind === 'unattributed') return [`${title} not shown: ${logs.reason}.`, ''];
  if (logs.lines.length === 0) return [`${title} none`, ''];
  const times = logs.lines.map((line) => `+${formatCount(line.offsetMs)} ms`);
  const timeWidth = Math.max(...times.map((time) => time.length));
  const levelWidth = Math.max(...logs.lines.map((line) => line.level.length));
  const out = [title];
  if (logs.earlier > 0 || logs.someLost === true) out.push(`(${earlierLines(logs.earlier, logs.someLost)})`);
  logs.lines.forEach((line, index) => {
    const lead = `${(times[index] ?? '').padStart(timeWidth)} ${line.level.padEnd(levelWidth)} `;
    const [first = '', ...rest] = line.text.split('\n');
    out.push(lead + first, ...rest.map((more) => ' '.repeat(lead.length) + more));
  });
  out.push('');
  return out;
}

/**
 * The plain-text part of a server-error mail, laid out like Django's
 * `technical_500.txt`: log line, summary, traceback (root cause first),
 * request information, Lambda context, settings.
 */
export function renderServerErrorText(report: ServerErrorReport): string {
  const lines: string[] = [report.logLine, ''];
  const late = delayedLine(report.delayed);
  if (late !== undefined) lines.push(late, '');
  const repeated = repeatsLine(report.repeats, 'This error');
  if (repeated !== undefined) lines.push(repeated, '');
  lines.push(report.title, report.summary, '');
  const request = report.request;
  if (request !== undefined) {
    lines.push(`Request Method: ${request.method}`, `Request URL: ${request.url}`);
  }
  if (report.lambda.requestId !== undefined) lines.push(`Request ID: ${report.lambda.requestId}`);
  if (report.lambda.tenantId !== undefined) lines.push(`Tenant: ${report.lambda.tenantId}`);
  if (report.lambda.logsUrl !== undefined) lines.push(`Logs: ${report.lambda.logsUrl}`);
  lines.push(`Node.js Version: ${report.nodeVersion}`, `Server time: ${report.time}`, '');

  if (report.errors.length === 0) {
    lines.push(
      report.tracebackNote === undefined ? 'Traceback: None' : `Traceback: None (${report.tracebackNote})`,
    );
  } else {
    lines.push('Traceback (most recent call last):');
    report.errors.forEach((error, index) => {
      const previous = report.errors[index - 1];
      if (previous !== undefined) {
        lines.push(
          '',
          `The above exception (${previous.message}) was the direct cause of the following exception:`,
          '',
        );
      }
      lines.push(...stackWithSource(error));
      lines.push(...memberLines(error));
    });
  }
  for (const note of report.sourceNotes) lines.push(`(${note})`);
  lines.push('');
  const top = report.errors.at(-1);
  if (top !== undefined) {
    lines.push(`Exception Type: ${top.type}${report.at}`, `Exception Value: ${report.summary}`);
    if (top.properties.length > 0) {
      lines.push('Exception Properties:', ...top.properties.map(([k, v]) => `${k} = ${v}`));
    }
    lines.push('');
  }
  lines.push(...logLines(report));

  const event = report.event;
  if (event !== undefined) {
    lines.push('Event information:', `Trigger: ${event.trigger}`);
    if (event.source !== undefined) lines.push(`Source: ${event.source}`);
    for (const [name, value] of event.details) lines.push(`${name}: ${value}`);
    if (event.recordCount !== undefined) lines.push(`Records: ${formatCount(event.recordCount)}`);
    if (event.recordIds.length > 0) lines.push(`Record ids: ${event.recordIds.join(', ')}`);
    if (event.failedIds !== undefined) lines.push(`Failed items: ${event.failedIds.join(', ')}`);
    lines.push(event.recordCount === undefined ? 'Event:' : 'First record:', event.firstRecord, '');
  }
  lines.push('Request information:');
  if (request === undefined) {
    lines.push(event === undefined ? 'Request data not supplied' : 'Not an HTTP request', '');
  } else {
    section(lines, 'GET', request.query, 'No GET data');
    lines.push('BODY:');
    if (request.body === undefined) lines.push('No body');
    else {
      if (request.body.text !== '') lines.push(request.body.text);
      const note = bodyNote(request.body);
      if (note !== undefined) lines.push(`(${note})`);
    }
    lines.push('');
    section(lines, 'COOKIES', request.cookies, 'No cookie data');
    section(lines, 'HEADERS', request.headers, 'No headers');
  }

  lines.push('Lambda context:', ...report.lambda.entries.map(([k, v]) => `${k} = ${v}`), '');
  lines.push('Settings:', 'Environment variables of the function (sensitive names hidden):');
  lines.push(...report.environment.map(([k, v]) => `${k} = ${quote(v)}`));
  return `${lines.join('\n')}\n`;
}

/**
 * The stack, each frame of the user's code followed by its source line, indented under it as in a
 * Python traceback.
 */
function stackWithSource(error: ErrorInfo): string[] {
  return stackText(error)
    .split('\n')
    .flatMap((line, index) => {
      // A report beforeSend rebuilt may have no sources.
      const source = error.sources?.get(index);
      const failing = source?.lines[source.line - source.firstLine]?.trim();
      return failing === undefined || failing === '' ? [line] : [line, `        ${failing}`];
    });
}

/** The members of an AggregateError, each indented under a numbered line. */
function memberLines(error: ErrorInfo): string[] {
  if (error.memberCount === 0) return [];
  const lines = [`${error.type} members (${formatCount(error.memberCount)}):`];
  error.members.forEach((member, index) => {
    const stack = stackText(member);
    lines.push(`[${index}] ${stack.replace(/\n/g, '\n    ')}`);
  });
  if (error.memberCount > error.members.length) {
    lines.push(`... ${formatCount(error.memberCount - error.members.length)} more members not shown`);
  }
  return lines;
}

function section(lines: string[], title: string, items: readonly NameValue[], empty: string): void {
  if (items.length === 0) lines.push(`${title}: ${empty}`);
  else lines.push(`${title}:`, ...items.map(([k, v]) => `${k} = ${quote(v)}`));
  lines.push('');
}

/** The body of a broken-link mail: Django's four lines. */
export function renderBrokenLinkText(report: BrokenLinkReport): string {
  const repeated = repeatsLine(report.repeats, 'This broken link');
  const late = delayedLine(report.delayed);
  return (
    (late === undefined ? '' : `${late}\n\n`) +
    `Referrer: ${report.referer}\n` +
    `Requested URL: ${report.requestedUrl}\n` +
    `User agent: ${report.userAgent}\n` +
    `IP address: ${report.ip}\n` +
    (repeated === undefined ? '' : `\n${repeated}\n`)
  );
}
