// Run by bench/lowmem.mjs in a fresh process (CPU-limited or not): what the first report's
// dependencies take on their own, with no code of ours, loaded as the package loads them (require):
// loading the SES client, loading nodemailer's composer, composing a first mail of a report's size,
// and the SES client's first request (to the local SES at AWS_ENDPOINT_URL_SES). Prints
// { step: { ms, cpuMs } } as JSON; the CPU counts every thread of the process, as a quota does.
import { createRequire } from 'node:module';

const require = createRequire(new URL('../package.json', import.meta.url));
const steps = {};
const measure = async (step, work) => {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await work();
  const cpu = process.cpuUsage(cpu0);
  steps[step] = { ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
  return value;
};

const sdk = await measure('sesClient', () => require('@aws-sdk/client-ses'));
const { default: MailComposer } = await measure('composer', () => require('nodemailer/lib/mail-composer'));
// About the size of a report's parts: a 9 KB text part, a 30 KB HTML one.
const line = 'at handler (file:///var/task/src/orders/price.ts:18:32) 0123456789abcdef\n';
const raw = await measure('firstCompose', () =>
  new MailComposer({
    from: 'errors@example.com',
    to: ['ops@example.com'],
    subject: '[lowmem] ERROR (EXTERNAL IP): Internal Server Error: /boom',
    text: line.repeat(120),
    html: `<pre>${line.repeat(400)}</pre>`,
    textEncoding: 'base64',
  })
    .compile()
    .build(),
);
await measure('firstSesRequest', () =>
  new sdk.SESClient({}).send(
    new sdk.SendRawEmailCommand({
      RawMessage: { Data: raw },
      Source: 'errors@example.com',
      Destinations: ['ops@example.com'],
    }),
  ),
);
process.stdout.write(`${JSON.stringify(steps)}\n`);
