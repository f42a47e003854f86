// The error path and floods of lambda-error-mail, through a local SES (aws-ses-v2-local on 127.0.0.1):
// each sample is a fresh process, so "first report" is a container's first. With BENCH_JSON set to a
// path, the figures are written there too, for bench/render.mjs.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { median } from './median.mjs';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', 'package.json'));
const PROCESSES = Number(process.env.BENCH_ERROR_PROCESSES ?? 7);
const fmt = (n, digits = 1) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

const ses = await require('aws-ses-v2-local').default({ host: '127.0.0.1', port: 0 });
const sesUrl = `http://127.0.0.1:${ses.address().port}`;
const env = {
  PATH: process.env.PATH ?? '',
  ADMINS: 'ops@example.com',
  SERVER_EMAIL: 'errors@example.com',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_ENDPOINT_URL_SES: sesUrl,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};
const child = async (mode, marker) => {
  const { stdout } = await run(process.execPath, [join(here, 'error-child.mjs'), mode, marker], {
    env,
    timeout: 300_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1));
};
// Only the mail since `since` (epoch seconds) is read back: the store of a whole run is large.
const mailsMarked = async (marker, since = 0) => {
  const store = await (await fetch(`${sesUrl}/store?since=${since}`)).json();
  return store.emails.filter((mail) => mail.subject.startsWith(`[${marker}] `));
};

// Each process's reports (the first, the warm ones and the 6 MB ones) are counted in the local SES
// after it ends; its SendRawEmail round trips, marked "round trip", are not reports.
const REPORTS = 1 + 30 + 7;
const paths = [];
for (let i = 0; i < PROCESSES; i++) {
  const marker = randomUUID();
  const since = Math.floor(Date.now() / 1000) - 1;
  const sample = await child('path', marker);
  sample.mailed = (await mailsMarked(marker, since)).filter(
    (mail) => !mail.subject.endsWith(' round trip'),
  ).length;
  paths.push(sample);
}
const floodMarker = randomUUID();
const flood = await child('flood', floodMarker);
const floodMails = await mailsMarked(floodMarker);
const identicalMails = floodMails.filter((mail) => mail.subject.endsWith(': /same')).length;
const distinctMails = floodMails.filter((mail) => /: \/route-\d$/.test(mail.subject)).length;
ses.closeAllConnections();
ses.close();

const p = (key) => median(paths.map((sample) => sample[key]));
console.log(
  `\n## Error path\n\nThrow to caller through a local SES (aws-ses-v2-local on 127.0.0.1), median of ${PROCESSES} fresh processes; warm: median of 30 reports per process, 6 MB: of 7.\n`,
);
console.log('| case | throw to caller | over the SES round trip |');
console.log('| --- | ---: | ---: |');
console.log(
  `| SendRawEmail alone (the SDK, warm client, ${fmt(p('rawBytes') / 1024, 0)} KiB message) | ${fmt(p('roundTrip'))} ms | |`,
);
console.log(
  `| first report in a container (loads the report path, the SDK and the composer) | ${fmt(p('first'))} ms | ${fmt(p('first') - p('roundTrip'))} ms |`,
);
console.log(`| warm report | ${fmt(p('warm'))} ms | ${fmt(p('warm') - p('roundTrip'))} ms |`);
console.log(
  `| warm report of a 6 MB request body | ${fmt(p('large'))} ms | ${fmt(p('large') - p('roundTrip'))} ms |`,
);
console.log(
  '\n## Floods\n\nOne container, default flood control (ERROR_MAIL_THROTTLE_SECONDS=300, ERROR_MAIL_MAX_PER_MINUTE=10):\n',
);
console.log('| errors | mails sent | total time |');
console.log('| --- | ---: | ---: |');
console.log(`| 1,000 identical | ${identicalMails} | ${fmt(flood.identicalMs, 0)} ms |`);
console.log(`| 10 distinct | ${distinctMails} | ${fmt(flood.distinctMs, 0)} ms |`);
if (process.env.BENCH_JSON) {
  const results = {
    node: process.version,
    settings: { processes: PROCESSES, warmReports: 30, largeReports: 7 },
    reports: PROCESSES * REPORTS,
    mailed: paths.reduce((sum, sample) => sum + sample.mailed, 0),
    messageKiB: p('rawBytes') / 1024,
    roundTripMs: p('roundTrip'),
    firstMs: p('first'),
    warmMs: p('warm'),
    largeMs: p('large'),
    samples: paths,
    floods: {
      identical: { errors: 1000, mails: identicalMails, ms: flood.identicalMs },
      distinct: { errors: 10, mails: distinctMails, ms: flood.distinctMs },
    },
  };
  writeFileSync(process.env.BENCH_JSON, `${JSON.stringify(results, null, 2)}\n`);
}
