import { type ErrorInfo, stackText } from './error-info.js';
import { bodyNote, repeatsLine, type ServerErrorReport } from './report.js';
import type { NameValue } from './request.js';
import { formatCount } from './text.js';

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

// Inline styles: many mail clients drop <style> blocks or rewrite class names.
const S = {
  body: 'margin:0;padding:0;background:#f4f4f4;font:14px/1.45 -apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#222',
  header: 'background:#fff3cd;border-bottom:1px solid #e0c36b;padding:16px 20px',
  h1: 'margin:0 0 4px;font-size:20px;font-weight:600',
  summary: 'margin:0;font-size:15px;color:#5c4400;white-space:pre-wrap;word-break:break-word',
  section: 'background:#fff;margin:12px;border:1px solid #ddd;border-radius:4px;padding:12px 16px',
  h2: 'margin:0 0 8px;font-size:15px;color:#444',
  table: 'border-collapse:collapse;width:100%;font-size:13px',
  th: 'text-align:left;vertical-align:top;padding:3px 12px 3px 0;color:#666;font-weight:normal;white-space:nowrap;width:1%',
  td: 'vertical-align:top;padding:3px 0;font-family:Menlo,Consolas,monospace;word-break:break-all;white-space:pre-wrap',
  pre: 'margin:0;padding:10px;background:#f8f8f8;border:1px solid #eee;font:12px/1.4 Menlo,Consolas,monospace;white-space:pre-wrap;word-break:break-word',
  cause: 'margin:10px 0;color:#8a6d00;font-style:italic',
  empty: 'color:#888;font-style:italic',
  link: 'color:#0b5cad',
} as const;

function table(rows: readonly NameValue[], empty: string): string {
  if (rows.length === 0) return `<p style="${S.empty}">${escapeHtml(empty)}</p>`;
  const body = rows
    .map(
      ([name, value]) =>
        `<tr><th style="${S.th}">${escapeHtml(name)}</th><td style="${S.td}">${escapeHtml(value)}</td></tr>`,
    )
    .join('');
  return `<table style="${S.table}">${body}</table>`;
}

function members(error: ErrorInfo): string {
  if (error.memberCount === 0) return '';
  const items = error.members
    .map((member) => `<li><pre style="${S.pre}">${escapeHtml(stackText(member))}</pre></li>`)
    .join('');
  const rest =
    error.memberCount > error.members.length
      ? `<p style="${S.empty}">${formatCount(error.memberCount - error.members.length)} more members not shown</p>`
      : '';
  return `<p style="margin:10px 0 4px">${escapeHtml(error.type)} members (${formatCount(error.memberCount)}):</p><ol start="0" style="margin:0;padding-left:24px">${items}</ol>${rest}`;
}

function section(title: string, content: string): string {
  return `<div style="${S.section}"><h2 style="${S.h2}">${escapeHtml(title)}</h2>${content}</div>`;
}

/**
 * The HTML part of a server-error mail: the same content as the text part,
 * every value escaped, laid out for reading in a mail client.
 */
export function renderServerErrorHtml(report: ServerErrorReport): string {
  const request = report.request;
  const summaryRows: NameValue[] = [];
  if (request !== undefined) {
    summaryRows.push(['Request Method', request.method], ['Request URL', request.url]);
  }
  const top = report.errors.at(-1);
  if (top !== undefined) summaryRows.push(['Exception Type', top.type]);
  if (report.returnedStatus !== undefined)
    summaryRows.push(['Returned status', String(report.returnedStatus)]);
  if (report.lambda.functionName !== undefined) summaryRows.push(['Function', report.lambda.functionName]);
  if (report.lambda.requestId !== undefined) summaryRows.push(['Request ID', report.lambda.requestId]);
  summaryRows.push(['Node.js Version', process.version], ['Server time', report.time]);
  const logs =
    report.lambda.logsUrl === undefined
      ? ''
      : `<p style="margin:10px 0 0"><a style="${S.link}" href="${escapeHtml(report.lambda.logsUrl)}">Open the logs of this request in CloudWatch</a></p>`;

  let traceback: string;
  if (report.errors.length === 0) {
    traceback = `<p style="${S.empty}">No traceback${report.tracebackNote === undefined ? '' : `: ${escapeHtml(report.tracebackNote)}`}.</p>`;
  } else {
    traceback = report.errors
      .map((error, index) => {
        const previous = report.errors[index - 1];
        const cause =
          previous === undefined
            ? ''
            : `<p style="${S.cause}">The above exception (${escapeHtml(previous.message)}) was the direct cause of the following exception:</p>`;
        const props =
          error.properties.length === 0
            ? ''
            : `<div style="margin-top:6px">${table(error.properties, '')}</div>`;
        return `${cause}<pre style="${S.pre}">${escapeHtml(stackText(error))}</pre>${props}${members(error)}`;
      })
      .join('');
  }

  const repeated = repeatsLine(report.repeats, 'This error');
  const parts: string[] = [
    repeated === undefined
      ? ''
      : `<div style="background:#e8f0fe;border-bottom:1px solid #a8c1f0;padding:8px 20px">${escapeHtml(repeated)}</div>`,
    `<div style="${S.header}"><h1 style="${S.h1}">${escapeHtml(report.title)}</h1><p style="${S.summary}">${escapeHtml(report.summary)}</p></div>`,
    section('Summary', table(summaryRows, '') + logs),
    section('Traceback (most recent call last)', traceback),
  ];
  const event = report.event;
  if (event !== undefined) {
    const rows: NameValue[] = [['Trigger', event.trigger]];
    if (event.source !== undefined) rows.push(['Source', event.source]);
    if (event.recordCount !== undefined) rows.push(['Records', formatCount(event.recordCount)]);
    if (event.recordIds.length > 0) rows.push(['Record ids', event.recordIds.join(', ')]);
    if (event.failedIds !== undefined) rows.push(['Failed items', event.failedIds.join(', ')]);
    parts.push(
      section(
        'Event information',
        `${table(rows, '')}<p style="margin:10px 0 4px">${event.recordCount === undefined ? 'Event' : 'First record'}:</p><pre style="${S.pre}">${escapeHtml(event.firstRecord)}</pre>`,
      ),
    );
  } else if (request === undefined) {
    parts.push(section('Request information', `<p style="${S.empty}">Request data not supplied</p>`));
  }
  if (request !== undefined) {
    const note = request.body === undefined ? undefined : bodyNote(request.body);
    const body =
      request.body === undefined
        ? `<p style="${S.empty}">No body</p>`
        : (request.body.text === '' ? '' : `<pre style="${S.pre}">${escapeHtml(request.body.text)}</pre>`) +
          (note === undefined ? '' : `<p style="${S.empty}">${escapeHtml(note)}</p>`);
    parts.push(
      section('GET', table(request.query, 'No GET data')),
      section('Body', body),
      section('Cookies', table(request.cookies, 'No cookie data')),
      section('Headers', table(request.headers, 'No headers')),
    );
  }
  parts.push(
    section('Lambda context', table(report.lambda.entries, '')),
    section('Settings: environment variables (sensitive names hidden)', table(report.environment, 'None')),
  );
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(report.title)}</title></head><body style="${S.body}">${parts.join('')}</body></html>`;
}
