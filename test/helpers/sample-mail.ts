import middy from '@middy/core';
import { errorMail, type Mail } from '../../src/index.js';
import { httpApiEvent, lambdaContext } from './events.js';
import { mailEnv, recordingTransport } from './recording-transport.js';

/** A stack as Lambda writes it for a bundled handler run by middy on the Node.js 22 runtime. */
const LAMBDA_STACK = [
  "TypeError: Cannot read properties of undefined (reading 'sku')",
  '    at priceLine (/var/task/src/orders/price.js:18:32)',
  '    at Array.map (<anonymous>)',
  '    at createOrder (/var/task/src/orders/create.js:41:27)',
  '    at async runRequest (/var/task/node_modules/@middy/core/index.js:158:21)',
  '    at async Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:1206:29)',
].join('\n');

const CAUSE_STACK = [
  'Error: inventory lookup failed: item 7 has no price',
  '    at lookupPrices (/var/task/src/inventory/client.js:63:11)',
  '    at process.processTicksAndRejections (node:internal/process/task_queues:105:5)',
  '    at async createOrder (/var/task/src/orders/create.js:37:18)',
].join('\n');

/**
 * The mail an order API would send for a realistic failure: a POST with a
 * JSON body, cookies and a token, an error with a cause, thrown under middy,
 * reported by the real reporter. With `realStack` the error keeps the stack of
 * its real throw (test and node_modules frames) instead of a Lambda-like one.
 */
export async function sampleServerErrorMail(options: { realStack?: boolean } = {}): Promise<Mail> {
  const transport = recordingTransport();
  const cause = new Error('inventory lookup failed: item 7 has no price');
  const failure = new TypeError("Cannot read properties of undefined (reading 'sku')", { cause });
  Object.assign(failure, { orderId: 'ord_8c1e2f', retryable: false });
  if (!options.realStack) {
    cause.stack = CAUSE_STACK;
    failure.stack = LAMBDA_STACK;
  }
  const handler = middy(async () => {
    throw failure;
  }).use(
    errorMail({
      env: mailEnv({
        EMAIL_SUBJECT_PREFIX: '[shop prod] ',
        AWS_LAMBDA_FUNCTION_NAME: 'shop-prod-api',
        AWS_REGION: 'us-east-1',
        NODE_OPTIONS: '--enable-source-maps',
        STRIPE_API_KEY: 'sk_live_do_not_show',
        TABLE_NAME: 'shop-prod-orders',
      }),
      transport,
    }),
  );
  const event = httpApiEvent({
    method: 'POST',
    path: '/orders',
    query: { currency: 'EUR', session_token: 'tok_hidden' },
    headers: {
      'content-type': 'application/json',
      authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl',
      'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15',
      referer: 'https://shop.example.com/cart',
      'x-forwarded-for': '203.0.113.9',
    },
    cookies: ['theme=dark', 'sessionid=do-not-show'],
    body: JSON.stringify({
      items: [{ id: 7, qty: 2 }],
      customer: { email: 'ana@example.com', password: 'hunter2' },
    }),
    sourceIp: '203.0.113.9',
    domainName: 'api.shop.example.com',
  });
  await handler(event, lambdaContext()).catch(() => undefined);
  const [mail] = transport.mails;
  if (mail === undefined) throw new Error('the sample handler sent no mail');
  return mail;
}
