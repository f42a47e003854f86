import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';

/** The example service's three routes, shared by the plain and the middy handler. */
export type DemoEvent = APIGatewayProxyEventV2 | APIGatewayProxyEvent;

export interface DemoResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

function pathOf(event: DemoEvent): string {
  return 'rawPath' in event ? event.rawPath : event.path;
}

/** `/hello` answers 200, `/boom` throws, `/missing` answers 404; any prefix is ignored. */
export async function demoRoutes(event: DemoEvent): Promise<DemoResult> {
  const path = pathOf(event);
  if (path.endsWith('/boom')) {
    // What a handler logs on its way to a failure: the mail shows these lines (ERROR_MAIL_CAPTURE_LOGS).
    console.log(JSON.stringify({ level: 'INFO', message: 'loading the order list', page: 2 }));
    console.warn('orders-db: no answer after 1500 ms, retrying once');
    const cause = new Error('connection to orders-db timed out after 3000 ms');
    throw new Error('could not load the order list', { cause });
  }
  if (path.endsWith('/missing')) {
    return json(404, { message: 'Not Found' });
  }
  return json(200, { message: 'hello from lambda-error-mail' });
}

function json(statusCode: number, body: unknown): DemoResult {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
