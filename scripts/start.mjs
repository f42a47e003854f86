// `npm start`: the SES emulator on 127.0.0.1:${SES_PORT:-8005} and the example
// service on 127.0.0.1:${PORT:-3000} (stage `local`). Ctrl-C stops both.
import { createRequire } from 'node:module';
import { assertPortFree, freePort, startOffline } from './offline.mjs';

const require = createRequire(import.meta.url);
const startSes = require('aws-ses-v2-local').default;

const sesPort = Number(process.env.SES_PORT ?? 8005);
const port = Number(process.env.PORT ?? 3000);
const sesUrl = `http://127.0.0.1:${sesPort}`;

try {
  await assertPortFree(port, 'PORT');
} catch (error) {
  console.error(error.message);
  process.exit(1);
}

let ses;
try {
  ses = await startSes({ host: '127.0.0.1', port: sesPort });
} catch (error) {
  console.error(
    `Could not start the SES emulator on ${sesUrl}: ${error.message} (set SES_PORT to another port)`,
  );
  process.exit(1);
}
console.log(`SES emulator: ${sesUrl}  (captured mail: ${sesUrl}/ , JSON: ${sesUrl}/store)`);
console.log(`Starting the example service on http://127.0.0.1:${port} (first start builds it, ~10 s)...`);

let service;
const shutdown = async () => {
  await service?.stop();
  ses.closeAllConnections();
  ses.close();
};
process.once('SIGINT', () => shutdown().then(() => process.exit(130)));
process.once('SIGTERM', () => shutdown().then(() => process.exit(143)));

try {
  service = await startOffline({
    port,
    lambdaPort: Number(process.env.LAMBDA_PORT ?? (await freePort())),
    env: { AWS_ENDPOINT_URL_SES: sesUrl },
    onOutput: (text) => {
      // Show the service's own log lines (requests, the library's JSON lines) once it runs.
      if (service) process.stdout.write(text);
    },
  });
} catch (error) {
  console.error(error.message);
  await shutdown();
  process.exit(1);
}

const base = service.url;
console.log(`
Ready. Try these (plain handler; put /middy before a path for the middy one, /rest for REST API events):
  curl ${base}/hello                                         -> 200, no mail
  curl ${base}/boom                                          -> handler throws: mail to ADMINS
  curl -H 'Referer: ${base}/hello' ${base}/missing  -> 404 with an internal Referer: mail to MANAGERS

Then open ${sesUrl}/ to read the mail. Ctrl-C stops both.
`);
