import type { ALBEvent, APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';

// The Lambda context builder lives in context.ts; re-exported for the tests that import it from here.
export { lambdaContext } from './context.js';

/** What a test says about a request; each builder turns it into its event shape. */
export interface RequestSpec {
  method?: string;
  path?: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string | string[]>;
  cookies?: string[];
  body?: string;
  isBase64Encoded?: boolean;
  sourceIp?: string;
  domainName?: string;
}

function encodeQuery(query: Record<string, string | string[]>): string {
  return Object.entries(query)
    .flatMap(([name, value]) =>
      (Array.isArray(value) ? value : [value]).map(
        (v) => `${encodeURIComponent(name)}=${encodeURIComponent(v)}`,
      ),
    )
    .join('&');
}

function single(headers: Record<string, string | string[]>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? (v.at(-1) ?? '') : v]),
  );
}

function multi(values: Record<string, string | string[]>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));
}

/** An HTTP API (payload 2.0) event; `functionUrl` makes it a Function URL event. */
export function httpApiEvent(spec: RequestSpec = {}, functionUrl = false): APIGatewayProxyEventV2 {
  const domainName =
    spec.domainName ?? (functionUrl ? 'abcdef123.lambda-url.us-east-1.on.aws' : 'api.example.com');
  const headers = Object.fromEntries(
    Object.entries({ host: domainName, ...(spec.headers ?? {}) }).map(([k, v]) => [
      k.toLowerCase(),
      Array.isArray(v) ? v.join(',') : v,
    ]),
  );
  const path = spec.path ?? '/';
  return {
    version: '2.0',
    routeKey: functionUrl ? '$default' : `${spec.method ?? 'GET'} ${path}`,
    rawPath: path,
    rawQueryString: encodeQuery(spec.query ?? {}),
    ...(spec.cookies ? { cookies: spec.cookies } : {}),
    headers,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abcdef123',
      domainName,
      domainPrefix: domainName.split('.')[0] ?? '',
      http: {
        method: spec.method ?? 'GET',
        path,
        protocol: 'HTTP/1.1',
        sourceIp: spec.sourceIp ?? '203.0.113.9',
        userAgent: String(headers['user-agent'] ?? ''),
      },
      requestId: 'req-v2',
      routeKey: '$default',
      stage: '$default',
      time: '25/Nov/2026:03:51:06 +0000',
      timeEpoch: 1_795_578_666_000,
    },
    ...(spec.body === undefined ? {} : { body: spec.body }),
    isBase64Encoded: spec.isBase64Encoded ?? false,
  };
}

/** An API Gateway REST (payload 1.0) event, with both header maps as AWS sends them. */
export function restEvent(spec: RequestSpec = {}): APIGatewayProxyEvent {
  const domainName = spec.domainName ?? 'abc123.execute-api.us-east-1.amazonaws.com';
  const headers = { Host: domainName, ...(spec.headers ?? {}) };
  const query = spec.query ?? {};
  const hasQuery = Object.keys(query).length > 0;
  return {
    resource: '/{proxy+}',
    path: spec.path ?? '/',
    httpMethod: spec.method ?? 'GET',
    headers: single(headers),
    multiValueHeaders: multi(headers),
    queryStringParameters: hasQuery ? single(query) : null,
    multiValueQueryStringParameters: hasQuery ? multi(query) : null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      authorizer: null,
      domainName,
      httpMethod: spec.method ?? 'GET',
      identity: {
        sourceIp: spec.sourceIp ?? '203.0.113.9',
        userAgent: null,
      } as unknown as APIGatewayProxyEvent['requestContext']['identity'],
      path: `/prod${spec.path ?? '/'}`,
      protocol: 'HTTP/1.1',
      requestId: 'req-v1',
      requestTimeEpoch: 1_795_578_666_000,
      resourceId: 'res',
      resourcePath: '/{proxy+}',
      stage: 'prod',
    },
    body: spec.body ?? null,
    isBase64Encoded: spec.isBase64Encoded ?? false,
  };
}

/** An ALB event with multi-value headers; the client IP travels in X-Forwarded-For. */
export function albEvent(spec: RequestSpec = {}): ALBEvent {
  const headers = {
    host: spec.domainName ?? 'shop-alb-123.us-east-1.elb.amazonaws.com',
    'x-forwarded-for': `${spec.sourceIp ?? '203.0.113.9'}, 10.0.0.1`,
    'x-forwarded-proto': 'https',
    ...(spec.headers ?? {}),
  };
  const query = spec.query ?? {};
  return {
    requestContext: {
      elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop/abc' },
    },
    httpMethod: spec.method ?? 'GET',
    path: spec.path ?? '/',
    // ALB passes the query exactly as the client sent it.
    multiValueQueryStringParameters: Object.fromEntries(
      Object.entries(query).map(([k, v]) => [
        encodeURIComponent(k),
        (Array.isArray(v) ? v : [v]).map(encodeURIComponent),
      ]),
    ),
    multiValueHeaders: multi(headers),
    body: spec.body ?? '',
    isBase64Encoded: spec.isBase64Encoded ?? false,
  };
}
