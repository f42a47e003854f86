import middy from '@middy/core';
import type {
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2,
  APIGatewayProxyHandlerV2,
  APIGatewayProxyResult,
  APIGatewayProxyStructuredResultV2,
  Context,
  SQSEvent,
} from 'aws-lambda';
import { describe, expectTypeOf, it } from 'vitest';
import { type Config, type ConfigError, errorMail, loadConfig, withErrorMail } from '../../src/index.js';

describe('withErrorMail types', () => {
  it('keeps the event and result types of the handler', () => {
    const handler = withErrorMail(
      async (
        event: APIGatewayProxyEventV2,
        _context: Context,
      ): Promise<APIGatewayProxyStructuredResultV2> => ({
        statusCode: 200,
        body: event.rawPath,
      }),
    );

    expectTypeOf(handler).parameter(0).toEqualTypeOf<APIGatewayProxyEventV2>();
    expectTypeOf(handler).parameter(1).toEqualTypeOf<Context>();
    expectTypeOf(handler).returns.resolves.toEqualTypeOf<APIGatewayProxyStructuredResultV2>();
  });

  it('keeps the types of a REST handler and of a non-HTTP handler', () => {
    const rest = withErrorMail(
      async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => ({
        statusCode: 200,
        body: event.path,
      }),
    );
    const worker = withErrorMail(async (event: SQSEvent) => event.Records.length);

    expectTypeOf(rest).parameter(0).toEqualTypeOf<APIGatewayProxyEvent>();
    expectTypeOf(rest).returns.resolves.toEqualTypeOf<APIGatewayProxyResult>();
    expectTypeOf(worker).returns.resolves.toEqualTypeOf<number>();
  });

  it('can be assigned to the aws-lambda handler type', () => {
    const handler: APIGatewayProxyHandlerV2 = withErrorMail(async (event: APIGatewayProxyEventV2) => ({
      statusCode: 200,
      body: event.rawPath,
    }));

    expectTypeOf(handler).toEqualTypeOf<APIGatewayProxyHandlerV2>();
  });

  it('rejects an event of the wrong type', () => {
    const handler = withErrorMail(async (event: APIGatewayProxyEventV2) => event.rawPath);

    // @ts-expect-error an SQS event is not an HTTP API event
    handler({ Records: [] } as SQSEvent, {} as Context);
  });
});

describe('errorMail types', () => {
  it('fits middy().use() and keeps the handler types', () => {
    const handler = middy(async (event: APIGatewayProxyEventV2) => ({
      statusCode: 200,
      body: event.rawPath,
    })).use(errorMail());

    expectTypeOf(handler).parameter(0).toEqualTypeOf<APIGatewayProxyEventV2>();
  });
});

describe('loadConfig types', () => {
  it('returns a read-only Config and throws ConfigError', () => {
    expectTypeOf(loadConfig).returns.toEqualTypeOf<Config>();
    expectTypeOf<Config['admins']>().toEqualTypeOf<readonly string[]>();
    expectTypeOf<ConfigError['name']>().toEqualTypeOf<'ConfigError'>();
  });
});

describe('withErrorMail types for other handler shapes', () => {
  it('turns a callback-style handler into an async one with the same event and result', () => {
    const handler = withErrorMail(
      (event: SQSEvent, _context: Context, callback: (error?: unknown, result?: number) => void) => {
        callback(null, event.Records.length);
      },
    );

    expectTypeOf(handler).parameter(0).toEqualTypeOf<SQSEvent>();
    expectTypeOf(handler).returns.resolves.toEqualTypeOf<number>();
  });

  it('keeps the signature of a streaming handler', () => {
    type Streaming = (
      event: APIGatewayProxyEventV2,
      stream: NodeJS.WritableStream,
      context: Context,
    ) => Promise<void>;
    const base: Streaming = async () => undefined;

    expectTypeOf(withErrorMail(base)).toEqualTypeOf<Streaming>();
  });
});
