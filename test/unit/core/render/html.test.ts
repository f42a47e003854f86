import { describe, expect, it } from 'vitest';
import { withErrorMail } from '../../../../src/index.js';
import { httpApiEvent, lambdaContext } from '../../../helpers/events.js';
import { mailEnv, recordingTransport } from '../../../helpers/recording-transport.js';

async function htmlFor(stack: string): Promise<string> {
  const transport = recordingTransport();
  const failure = new Error('x');
  failure.stack = stack;
  const handler = withErrorMail(
    async () => {
      throw failure;
    },
    { env: mailEnv(), transport },
  );
  await handler(httpApiEvent({ path: '/legend' }), lambdaContext()).catch(() => undefined);
  return transport.mails[0]?.html ?? '';
}

describe('the traceback legend of the HTML mail', () => {
  it('tells your code from the rest when the stack holds both', async () => {
    const html = await htmlFor(
      'Error: x\n    at handler (/var/task/src/index.js:3:3)\n    at run (/var/task/node_modules/lib/index.js:1:1)',
    );

    expect(html).toContain('>your code</span>');
    expect(html).toContain('data-frame="app"');
  });

  it("is left out when no frame is the application's, or every frame is", async () => {
    const dependencyOnly = await htmlFor('Error: x\n    at run (/var/task/node_modules/lib/index.js:1:1)');
    const appOnly = await htmlFor('Error: x\n    at handler (/var/task/src/index.js:3:3)');

    expect(dependencyOnly).not.toContain('your code');
    expect(appOnly).not.toContain('your code');
    expect(appOnly).toContain('data-frame="app"');
  });
});
