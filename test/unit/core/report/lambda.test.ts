import { describe, expect, it } from 'vitest';
import type { Invocation } from '../../../../src/core/input/outcome.js';
import { cloudWatchLogsUrl, readLambda } from '../../../../src/core/report/lambda.js';
import { fixedContext, NOW, reportConfig } from '../../../helpers/reports.js';

const ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:shop-prod-api';

function invocation(context: unknown, overrides: Partial<Invocation> = {}): Invocation {
  return { event: {}, context, startedAt: NOW - 1500, coldStart: false, ...overrides };
}

function row(entries: readonly (readonly [string, string])[], name: string): string | undefined {
  return entries.find(([key]) => key === name)?.[1];
}

describe('readLambda', () => {
  it('shows the rows of the context in order, with the time so far and the time left', () => {
    const context = fixedContext({ invokedFunctionArn: ARN });

    const lambda = readLambda(reportConfig(), invocation(context), NOW);

    expect(lambda.entries).toEqual([
      ['Function', 'shop-prod-api'],
      ['Version', '$LATEST'],
      ['Memory', '512 MB'],
      ['Request ID', 'c6af9ac6-7b61-11e6-9a41-93e812345678'],
      ['Region', 'eu-west-1'],
      ['Duration so far', '1500 ms'],
      ['Remaining time', '4200 ms'],
      ['Cold start', 'no'],
      ['Log group', '/aws/lambda/shop-prod-api'],
      ['Log stream', '2026/11/25/[$LATEST]0123456789abcdef'],
    ]);
  });

  it('names the tenant of a function in tenant isolation mode, after the request id, and only then', () => {
    const tenant = readLambda(reportConfig(), invocation(fixedContext({ tenantId: 'acme-corp' })), NOW);
    const plain = readLambda(reportConfig(), invocation(fixedContext()), NOW);

    expect(tenant.tenantId).toBe('acme-corp');
    expect(tenant.entries.map(([name]) => name).slice(4, 6)).toEqual(['Request ID', 'Tenant']);
    expect(row(tenant.entries, 'Tenant')).toBe('acme-corp');
    expect(plain.tenantId).toBeUndefined();
    expect(row(plain.entries, 'Tenant')).toBeUndefined();
  });

  it('escapes and cuts a tenant id that could break a line of the mail', () => {
    const context = fixedContext({ tenantId: `acme\r\nBcc: x@example.com${'z'.repeat(300)}` });

    const lambda = readLambda(reportConfig(), invocation(context), NOW);

    expect(lambda.tenantId).toMatch(/^acme\\r\\nBcc: x@example\.comz+\.\.\. 68 more characters not shown$/);
    expect(lambda.tenantId).not.toMatch(/[\r\n]/);
  });

  it('shows the alias when the invoked ARN has a qualifier', () => {
    const context = fixedContext({ invokedFunctionArn: `${ARN}:live` });

    const lambda = readLambda(reportConfig(), invocation(context), NOW);

    expect(row(lambda.entries, 'Alias')).toBe('live');
  });

  it('shows no alias when the qualifier is the version itself', () => {
    const context = fixedContext({ invokedFunctionArn: `${ARN}:7`, functionVersion: '7' });

    const lambda = readLambda(reportConfig(), invocation(context), NOW);

    expect(row(lambda.entries, 'Alias')).toBeUndefined();
    expect(row(lambda.entries, 'Version')).toBe('7');
  });

  it('shows no alias for an unqualified ARN', () => {
    const context = fixedContext({ invokedFunctionArn: ARN });

    const lambda = readLambda(reportConfig(), invocation(context), NOW);

    expect(row(lambda.entries, 'Alias')).toBeUndefined();
  });

  it.each([
    [true, 'yes'],
    [false, 'no'],
  ])('says cold start %s as "%s"', (coldStart, shown) => {
    const lambda = readLambda(reportConfig(), invocation(fixedContext(), { coldStart }), NOW);

    expect(row(lambda.entries, 'Cold start')).toBe(shown);
    expect(lambda.coldStart).toBe(coldStart);
  });

  it('prefers the region of the settings to the one in the ARN', () => {
    const context = fixedContext({ invokedFunctionArn: ARN });

    const lambda = readLambda(reportConfig({ AWS_REGION: 'ap-south-1' }), invocation(context), NOW);

    expect(row(lambda.entries, 'Region')).toBe('ap-south-1');
    expect(lambda.logsUrl).toMatch(
      /^https:\/\/ap-south-1\.console\.aws\.amazon\.com\/cloudwatch\/home\?region=ap-south-1#/,
    );
  });

  it('shows the X-Ray trace of the invocation when the runtime set one', () => {
    const config = reportConfig({ _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793' });

    const lambda = readLambda(config, invocation(fixedContext()), NOW);

    expect(row(lambda.entries, 'X-Ray trace')).toBe('Root=1-5759e988-bd862e3fe1be46a994272793');
  });

  it('links the logs of the request when the context names its log group and stream', () => {
    const context = fixedContext({ invokedFunctionArn: ARN });

    const lambda = readLambda(reportConfig(), invocation(context), NOW);

    expect(lambda.logsUrl).toBe(
      cloudWatchLogsUrl(
        'eu-west-1',
        '/aws/lambda/shop-prod-api',
        '2026/11/25/[$LATEST]0123456789abcdef',
        'c6af9ac6-7b61-11e6-9a41-93e812345678',
      ),
    );
  });

  it('has no logs link without a log stream', () => {
    const context = fixedContext({ logStreamName: '' });

    const lambda = readLambda(reportConfig(), invocation(context), NOW);

    expect(lambda.logsUrl).toBeUndefined();
    expect(row(lambda.entries, 'Log stream')).toBeUndefined();
  });

  it('never shows a negative duration when the clock went back', () => {
    const lambda = readLambda(reportConfig(), invocation(fixedContext(), { startedAt: NOW + 50 }), NOW);

    expect(lambda.elapsedMs).toBe(0);
    expect(row(lambda.entries, 'Duration so far')).toBe('0 ms');
  });

  it('leaves out what a context without a clock or with throwing getters cannot tell', () => {
    const hostile = new Proxy(
      {},
      {
        get(_target, key) {
          if (key === 'functionName') return 'from-proxy';
          throw new Error(`no ${String(key)}`);
        },
      },
    );

    const lambda = readLambda(reportConfig(), invocation(hostile, { coldStart: true }), NOW);

    expect(lambda.entries).toEqual([
      ['Function', 'from-proxy'],
      ['Duration so far', '1500 ms'],
      ['Cold start', 'yes'],
    ]);
    expect(lambda.logsUrl).toBeUndefined();
    expect(lambda.requestId).toBeUndefined();
  });
});

describe('cloudWatchLogsUrl', () => {
  it('encodes the log group and stream twice and writes each % as $', () => {
    const url = cloudWatchLogsUrl('us-east-1', '/aws/lambda/shop', '2026/11/25/[$LATEST]abc', undefined);

    expect(url).toBe(
      'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1' +
        '#logsV2:log-groups/log-group/$252Faws$252Flambda$252Fshop' +
        '/log-events/2026$252F11$252F25$252F$255B$2524LATEST$255Dabc',
    );
  });

  it('filters the stream on the request id, quoted', () => {
    const url = cloudWatchLogsUrl('us-east-1', 'g', 's', 'c6af9ac6-7b61');

    expect(url.endsWith('/log-events/s$3FfilterPattern$3D$2522c6af9ac6-7b61$2522')).toBe(true);
  });

  it('keeps a hostile log group from breaking out of the fragment', () => {
    const url = cloudWatchLogsUrl('us-east-1', 'g#x?y=1&"<a>', 's', undefined);

    expect(url).toContain('/log-group/g$2523x$253Fy$253D1$2526$2522$253Ca$253E/');
    expect(url.split('#')).toHaveLength(2);
  });
});
