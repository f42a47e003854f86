import { type ErrorInfo, stackText } from '../input/error-chain.js';
import { firstAppFrameLine, type StackLine, stackLines } from '../input/frames.js';
import type { NameValue } from '../input/request.js';
import type { FrameSource } from '../input/source-frames.js';
import type { ServerErrorReport } from '../report/types.js';
import { formatCount } from '../text.js';
import { bodyNote, delayedLine, earlierLines, repeatsLine } from './notes.js';

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);
}

// Inline styles only: many mail clients drop <style> blocks and <body> attributes. Every block that
// holds text sets both its background and its colour, so a client that paints its own dark page
// behind the mail (or inverts it whole) never leaves dark text on a dark ground. All pairs meet
// WCAG AA (4.5:1), the dimmed stack frames included.
const INK = '#1f2328';
const MUTED = '#57606a';
const PAPER = '#ffffff';
// Single quotes only inside a style: the attribute itself is double-quoted.
const MONO = "font-family:Menlo,Consolas,'DejaVu Sans Mono',monospace";
const S = {
  page: `background:#eef0f3;color:${INK};margin:0;padding:12px 0;font:14px/1.5 -apple-system,'Segoe UI',Helvetica,Arial,sans-serif;-webkit-text-size-adjust:100%`,
  column: 'max-width:880px;margin:0 auto;padding:0 8px',
  repeats:
    'background:#fff8c5;color:#4d2d00;border:1px solid #d4a72c;border-radius:6px;padding:8px 14px;margin:0 0 10px',
  header: (warning: boolean) =>
    `background:${warning ? '#7d4e00' : '#b42318'};color:#ffffff;border-radius:6px 6px 0 0;padding:14px 16px`,
  level: 'margin:0 0 2px;font-size:12px;letter-spacing:.06em;text-transform:uppercase;color:#ffffff',
  h1: 'margin:0;font-size:20px;line-height:1.3;font-weight:600;color:#ffffff;word-break:break-word',
  message: `margin:6px 0 0;font-size:15px;color:#ffffff;white-space:pre-wrap;word-break:break-word;${MONO}`,
  glance: `background:${PAPER};color:${INK};border:1px solid #d0d7de;border-top:0;border-radius:0 0 6px 6px;padding:10px 16px 14px;margin:0 0 12px`,
  card: `background:${PAPER};color:${INK};border:1px solid #d0d7de;border-radius:6px;padding:12px 16px;margin:0 0 12px`,
  h2: `margin:0 0 8px;font-size:16px;font-weight:600;color:${INK}`,
  h3: `margin:12px 0 4px;font-size:13px;font-weight:600;color:${MUTED};text-transform:uppercase;letter-spacing:.04em`,
  // Colour, wrapping and font are inherited: set once on the table, so a long table stays light.
  table: `border-collapse:collapse;width:100%;font-size:12px;color:${INK};word-break:break-all;${MONO}`,
  glanceTable: `border-collapse:collapse;width:100%;font-size:14px;color:${INK};word-break:break-word`,
  th: `text-align:left;vertical-align:top;padding:3px 12px 3px 0;color:${MUTED};font-weight:normal;white-space:nowrap;width:1%;word-break:normal`,
  td: 'vertical-align:top;padding:3px 0;white-space:pre-wrap',
  stack: `background:#f6f8fa;color:${INK};border:1px solid #d8dee4;border-radius:6px;padding:8px 10px;${MONO};font-size:12px;line-height:1.45;white-space:pre-wrap;word-break:break-all`,
  lineText: `color:${INK};font-weight:600`,
  lineApp: `color:${INK};font-weight:600;background:#fff1e5;border-left:3px solid #b42318;padding-left:6px;margin-left:-9px`,
  lineOther: 'color:#59636e',
  source: `margin:2px 0 6px;background:${PAPER};color:${INK};border:1px solid #d8dee4;border-radius:4px;padding:4px 0;white-space:pre-wrap;word-break:break-all`,
  sourceLine: `color:${INK};padding:0 8px`,
  sourceMark: `color:${INK};background:#ffebe9;font-weight:600;padding:0 8px;border-left:3px solid #b42318`,
  lineNumber: `color:${MUTED};display:inline-block;min-width:3em;user-select:none`,
  pre: `margin:0;background:#f6f8fa;color:${INK};border:1px solid #d8dee4;border-radius:6px;padding:8px 10px;${MONO};font-size:12px;line-height:1.45;white-space:pre-wrap;word-break:break-all`,
  cause: `margin:12px 0 6px;color:${MUTED};font-style:italic`,
  note: `margin:6px 0 0;color:${MUTED};font-style:italic`,
  button:
    'display:inline-block;background:#0969da;color:#ffffff;text-decoration:none;border-radius:6px;padding:7px 12px;font-weight:600',
  summary: `cursor:pointer;font-size:16px;font-weight:600;color:${INK}`,
  legend: `margin:0 0 8px;font-size:12px;color:${MUTED}`,
  footer: `margin:4px 0 0;text-align:center;font-size:12px;color:${MUTED}`,
  logs: `background:#f6f8fa;color:${INK};border:1px solid #d8dee4;border-radius:6px;padding:6px 0;${MONO};font-size:12px;line-height:1.45;white-space:pre-wrap;word-break:break-all`,
  logLine: `color:${INK};padding:1px 10px`,
  logWarn: `color:#4d2d00;background:#fff8c5;padding:1px 10px;border-left:3px solid #d4a72c`,
  logError: `color:#82071e;background:#ffebe9;padding:1px 10px;border-left:3px solid #b42318`,
  logMeta: `color:${MUTED}`,
} as const;

function table(rows: readonly NameValue[], empty: string, style: string = S.table): string {
  if (rows.length === 0) return `<p style="${S.note}">${escapeHtml(empty)}</p>`;
  const body = rows
    .map(
      ([name, value]) =>
        `<tr><th scope="row" style="${S.th}">${escapeHtml(name)}</th><td style="${S.td}">${escapeHtml(value)}</td></tr>`,
    )
    .join('');
  return `<table style="${style}">${body}</table>`;
}

function card(title: string, content: string): string {
  return `<div style="${S.card}"><h2 style="${S.h2}">${escapeHtml(title)}</h2>${content}</div>`;
}

/** A card whose content is folded away in clients that know `<details>` (and shown in the rest). */
function foldedCard(title: string, content: string): string {
  return `<div style="${S.card}"><details><summary style="${S.summary}">${escapeHtml(title)}</summary><div style="margin-top:8px">${content}</div></details></div>`;
}

const LINE_STYLE: Readonly<Record<StackLine['kind'], string>> = {
  text: S.lineText,
  app: S.lineApp,
  dependency: S.lineOther,
  runtime: S.lineOther,
};

// User frames whose lines around the failing one the HTML part shows; the text part shows the
// failing line of each frame that has one.
const CONTEXT_FRAMES = 3;

/**
 * A stack, one block per line: the application's own frames marked, dependencies and Node dimmed;
 * under each of the first application frames with a source, the lines around the failing one.
 */
function stackBlock(stack: readonly StackLine[], sources?: ErrorInfo['sources']): string {
  let shown = 0;
  const lines = stack
    .map((line, index) => {
      const frame = `<div data-frame="${line.kind}" style="${LINE_STYLE[line.kind]}">${escapeHtml(line.text) || '&nbsp;'}</div>`;
      const source = sources?.get(index);
      if (source === undefined || shown >= CONTEXT_FRAMES) return frame;
      shown += 1;
      return frame + sourceBlock(source);
    })
    .join('');
  return `<div style="${S.stack}">${lines}</div>`;
}

/** Numbered source lines, the failing one marked. */
function sourceBlock(source: FrameSource): string {
  const rows = source.lines
    .map((text, i) => {
      const number = source.firstLine + i;
      const style = number === source.line ? S.sourceMark : S.sourceLine;
      return `<div style="${style}"><span style="${S.lineNumber}">${number}</span>${escapeHtml(text) || '&nbsp;'}</div>`;
    })
    .join('');
  return `<div data-source="${source.line}" style="${S.source}">${rows}</div>`;
}

const LOG_STYLE: Readonly<Record<string, string>> = {
  WARN: S.logWarn,
  ERROR: S.logError,
  FATAL: S.logError,
  stderr: S.logWarn,
};

/** The invocation's log lines, each with its time from the start and its level; errors and warnings marked. */
function logsCard(report: ServerErrorReport): string {
  const logs = report.logs;
  if (logs === undefined) return '';
  const title = 'Log lines (this invocation)';
  if (logs.kind === 'unattributed')
    return card(title, `<p style="${S.note}">Not shown: ${escapeHtml(logs.reason)}.</p>`);
  if (logs.lines.length === 0) return card(title, `<p style="${S.note}">None.</p>`);
  const earlier =
    logs.earlier === 0 && logs.someLost !== true
      ? ''
      : `<p style="${S.legend}">${escapeHtml(earlierLines(logs.earlier, logs.someLost))}</p>`;
  const rows = logs.lines
    .map(
      (line) =>
        `<div data-log-level="${escapeHtml(line.level)}" style="${LOG_STYLE[line.level] ?? S.logLine}"><span style="${S.logMeta}">+${escapeHtml(formatCount(line.offsetMs))} ms ${escapeHtml(line.level)}</span> ${escapeHtml(line.text)}</div>`,
    )
    .join('');
  return card(title, `${earlier}<div style="${S.logs}">${rows}</div>`);
}

function members(error: ErrorInfo): string {
  if (error.memberCount === 0) return '';
  const items = error.members
    .map((member) => `<li style="margin:6px 0">${stackBlock(stackLines(stackText(member)))}</li>`)
    .join('');
  const rest =
    error.memberCount > error.members.length
      ? `<p style="${S.note}">${formatCount(error.memberCount - error.members.length)} more members not shown</p>`
      : '';
  return `<h3 style="${S.h3}">${escapeHtml(error.type)} members (${formatCount(error.memberCount)})</h3><ol start="0" style="margin:0;padding-left:24px">${items}</ol>${rest}`;
}

function traceback(report: ServerErrorReport): string {
  if (report.errors.length === 0) {
    const why = report.tracebackNote === undefined ? '' : `: ${escapeHtml(report.tracebackNote)}`;
    return `<p style="${S.note}">No traceback${why}.</p>`;
  }
  // The legend only when there is something to tell apart: frames of the application and frames of others.
  const stacks = report.errors.map((error) => stackLines(stackText(error)));
  const kinds = new Set(stacks.flatMap((stack) => stack.map((line) => line.kind)));
  const legend =
    kinds.has('app') && (kinds.has('dependency') || kinds.has('runtime'))
      ? `<p style="${S.legend}"><span style="${S.lineApp};margin-left:0">your code</span> &nbsp; <span style="${S.lineOther}">dependencies and Node.js</span></p>`
      : '';
  const chain = report.errors
    .map((error, index) => {
      const previous = report.errors[index - 1];
      const cause =
        previous === undefined
          ? ''
          : `<p style="${S.cause}">The above exception (${escapeHtml(previous.message)}) was the direct cause of the following exception:</p>`;
      const props =
        error.properties.length === 0
          ? ''
          : `<h3 style="${S.h3}">${escapeHtml(error.type)} properties</h3>${table(error.properties, '')}`;
      return `${cause}${stackBlock(stacks[index] ?? [], error.sources)}${props}${members(error)}`;
    })
    .join('');
  const notes = report.sourceNotes.map((note) => `<p style="${S.note}">${escapeHtml(note)}</p>`).join('');
  return legend + chain + notes;
}

/** The rows of the summary block: what failed, where, when, how often. */
function glanceRows(report: ServerErrorReport): NameValue[] {
  const top = report.errors.at(-1);
  const rows: NameValue[] = [['What', top === undefined ? report.summary : `${top.type}: ${report.summary}`]];
  const request = report.request;
  rows.push(['Where', request === undefined ? report.logLine : `${request.method} ${request.url}`]);
  const frame = firstAppFrameLine(top?.stack);
  if (frame !== undefined) rows.push(['Code', frame]);
  if (report.returnedStatus !== undefined) rows.push(['Status', `returned ${report.returnedStatus}`]);
  const start = report.lambda.coldStart ? 'cold start' : 'warm container';
  rows.push([
    'When',
    `${report.time}, ${formatCount(report.lambda.elapsedMs)} ms into the invocation (${start})`,
  ]);
  const mails =
    report.mailsBefore === 0
      ? 'First mail of this error from this container'
      : `Mail ${formatCount(report.mailsBefore + 1)} of this error from this container`;
  const held =
    report.repeats === undefined
      ? 'none held back by flood control'
      : `${formatCount(report.repeats.count)} more held back by flood control since ${report.repeats.since}`;
  rows.push(['How often', `${mails}; ${held}`]);
  if (report.lambda.functionName !== undefined) rows.push(['Function', report.lambda.functionName]);
  if (report.lambda.requestId !== undefined) rows.push(['Request ID', report.lambda.requestId]);
  if (report.lambda.tenantId !== undefined) rows.push(['Tenant', report.lambda.tenantId]);
  return rows;
}

function logsButton(report: ServerErrorReport): string {
  const url = report.lambda.logsUrl;
  if (url === undefined) return '';
  return `<p style="margin:10px 0 0"><a style="${S.button}" href="${escapeHtml(url)}">Open this request's logs in CloudWatch</a></p>`;
}

function requestCard(report: ServerErrorReport): string {
  const request = report.request;
  if (request === undefined) return '';
  const note = request.body === undefined ? undefined : bodyNote(request.body);
  const body =
    request.body === undefined
      ? `<p style="${S.note}">No body</p>`
      : (request.body.text === '' ? '' : `<pre style="${S.pre}">${escapeHtml(request.body.text)}</pre>`) +
        (note === undefined ? '' : `<p style="${S.note}">${escapeHtml(note)}</p>`);
  const line: NameValue[] = [
    ['Method', request.method],
    ['URL', request.url],
  ];
  return card(
    'Request',
    table(line, '') +
      `<h3 style="${S.h3}">GET</h3>${table(request.query, 'No GET data')}` +
      `<h3 style="${S.h3}">Body</h3>${body}` +
      `<h3 style="${S.h3}">Cookies</h3>${table(request.cookies, 'No cookie data')}` +
      `<h3 style="${S.h3}">Headers</h3>${table(request.headers, 'No headers')}`,
  );
}

function eventCard(report: ServerErrorReport): string {
  const event = report.event;
  if (event === undefined) {
    return report.request === undefined
      ? card('Request', `<p style="${S.note}">Request data not supplied</p>`)
      : '';
  }
  const rows: NameValue[] = [['Trigger', event.trigger]];
  if (event.source !== undefined) rows.push(['Source', event.source]);
  rows.push(...event.details);
  if (event.recordCount !== undefined) rows.push(['Records', formatCount(event.recordCount)]);
  if (event.recordIds.length > 0) rows.push(['Record ids', event.recordIds.join(', ')]);
  if (event.failedIds !== undefined) rows.push(['Failed items', event.failedIds.join(', ')]);
  const first = event.recordCount === undefined ? 'Event' : 'First record';
  return card(
    'Event',
    `${table(rows, '')}<h3 style="${S.h3}">${first}</h3><pre style="${S.pre}">${escapeHtml(event.firstRecord)}</pre>`,
  );
}

/**
 * The HTML part of a server-error mail, for a person on call: the summary
 * first (what, where, when, how often, the logs link), then the stack with
 * the application's frames marked, the request, the Lambda context, and the
 * settings and raw event folded away. Every value escaped; no scripts, no
 * images, no remote resources.
 */
export function renderServerErrorHtml(report: ServerErrorReport): string {
  const warning = report.level === 'WARNING';
  const repeated = repeatsLine(report.repeats, 'This error');
  const late = delayedLine(report.delayed);
  const fn = report.lambda.functionName;
  const level = `${warning ? 'Warning' : 'Error'}${fn === undefined ? '' : ` in ${fn}`}`;
  const lambdaRows: NameValue[] = [...report.lambda.entries, ['Node.js', report.nodeVersion]];
  const parts: string[] = [
    late === undefined ? '' : `<div style="${S.repeats}">${escapeHtml(late)}</div>`,
    repeated === undefined ? '' : `<div style="${S.repeats}">${escapeHtml(repeated)}</div>`,
    `<div style="${S.header(warning)}"><p style="${S.level}">${escapeHtml(level)}</p><h1 style="${S.h1}">${escapeHtml(report.title)}</h1><p style="${S.message}">${escapeHtml(report.summary)}</p></div>`,
    `<div style="${S.glance}">${table(glanceRows(report), '', S.glanceTable)}${logsButton(report)}</div>`,
    card('Traceback (most recent call last)', traceback(report)),
    logsCard(report),
    requestCard(report),
    eventCard(report),
    card('Lambda', table(lambdaRows, '') + logsButton(report)),
    foldedCard(
      `Settings: ${formatCount(report.environment.length)} environment variables (sensitive values hidden)`,
      table(report.environment, 'None'),
    ),
    foldedCard('Raw event (scrubbed)', `<pre style="${S.pre}">${escapeHtml(report.rawEvent)}</pre>`),
    `<p style="${S.footer}">Sent by lambda-error-mail. The plain-text part of this mail has the same report.</p>`,
  ];
  return (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<meta name="color-scheme" content="light"><meta name="supported-color-schemes" content="light">' +
    `<title>${escapeHtml(report.title)}</title></head>` +
    `<body style="margin:0;padding:0;background:#eef0f3"><div style="${S.page}"><div style="${S.column}">${parts.join('')}</div></div></body></html>`
  );
}
