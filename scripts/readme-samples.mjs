import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

// The README's sample mails, made from what the example service sends: `npm run docs` writes them
// into README.md between `<!-- sample:NAME -->` and `<!-- /sample:NAME -->`, and the end-to-end test
// (test/e2e/offline.test.ts) fails when the README's no longer match what the service sends now.

/** The requests of the samples, as the README's curl commands send them (`origin`: the service's). */
export const SAMPLE_REQUESTS = {
  'boom-text': {
    path: '/boom?page=2&api_key=abc',
    headers: () => ({ cookie: 'theme=dark; sessionid=s3cr3t-session' }),
    curl: "curl -H 'Cookie: theme=dark; sessionid=s3cr3t-session' 'http://127.0.0.1:3000/boom?page=2&api_key=abc'",
  },
  'missing-text': {
    path: '/missing?from=nav',
    headers: (origin) => ({ referer: `${origin}/hello`, 'user-agent': 'Mozilla/5.0' }),
    curl: "curl -A 'Mozilla/5.0' -H 'Referer: http://127.0.0.1:3000/hello' 'http://127.0.0.1:3000/missing?from=nav'",
  },
};

// What the README shows of a mail: the service as the README's commands reach it, the subject with
// the local stage's prefix, and the top of each part of a long mail.
const FRAMES_SHOWN = 2;

/**
 * The sample of `mail` (as the SES emulator stores it) for the README: the service's address as
 * 127.0.0.1:3000, the subject prefix as the local stage's, each traceback cut to its first frames,
 * and the mail cut after its cookies.
 */
export function sampleOf(mail, { prefix, port }) {
  const text = (mail.body.text ?? '')
    .replace(/\r\n/g, '\n')
    .replaceAll(`127.0.0.1:${port}`, '127.0.0.1:3000');
  const subject = mail.subject
    .replace(prefix, '[demo local] ')
    .replaceAll(`127.0.0.1:${port}`, '127.0.0.1:3000');
  const lines = [`Subject: ${subject}`, `To: ${mail.destination.to.join(', ')}`, ''];
  let frames = 0;
  let inTraceback = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('Logs: ')) {
      lines.push(`${line.slice(0, line.indexOf('#logsV2:log-groups/') + '#logsV2:log-groups/'.length)}...`);
      continue;
    }
    if (line.startsWith('Traceback (most recent call last):')) inTraceback = true;
    if (line.startsWith('Exception Type:')) inTraceback = false;
    if (inTraceback && /^ {4}at /.test(line)) {
      frames += 1;
      if (frames === FRAMES_SHOWN + 1) lines.push('    ...');
      if (frames > FRAMES_SHOWN) continue;
    } else if (inTraceback && /^ {8}/.test(line)) {
      if (frames > FRAMES_SHOWN) continue;
    } else if (inTraceback) {
      frames = 0;
    }
    if (line === 'HEADERS:') {
      lines.push('...');
      break;
    }
    lines.push(line);
  }
  while (lines.at(-1) === '') lines.pop();
  return lines.join('\n');
}

/** The sample with what differs from one run to the next (ids, times, versions) replaced. */
export function withoutRunDetails(sample) {
  return sample
    .replace(/^Request ID: .*$/m, 'Request ID: <id>')
    .replace(/^Server time: .*$/m, 'Server time: <time>')
    .replace(/^Node\.js Version: .*$/m, 'Node.js Version: <version>')
    .replace(/^\+[\d,]+ ms /gm, '+<n> ms ');
}

const BLOCK = (name) =>
  new RegExp(String.raw`(<!-- sample:${name} -->\n)([\s\S]*?)(<!-- /sample:${name} -->)`);

/** The sample named `name` as the README holds it, or undefined. */
export function readmeSample(readme, name) {
  const block = BLOCK(name).exec(readme)?.[2];
  return block === undefined ? undefined : /^```text\n([\s\S]*)\n```\n$/.exec(block)?.[1];
}

/** `readme` with the sample named `name` replaced by `sample`. */
export function withSample(readme, name, sample) {
  if (!BLOCK(name).test(readme)) throw new Error(`README.md has no <!-- sample:${name} --> block`);
  return readme.replace(
    BLOCK(name),
    (_, open, _old, close) => `${open}\`\`\`text\n${sample}\n\`\`\`\n${close}`,
  );
}

/**
 * The README's command samples, run in the repository with the example's `local` stage. `out`
 * stands for a file the command writes, shown as its name.
 */
export const CLI_SAMPLES = {
  'preview-html': {
    args: (out) => [
      'preview',
      'events/http-api-500.json',
      '--stage',
      'local',
      '--throw',
      "TypeError: Cannot read properties of undefined (reading 'sku')",
      '--out',
      out('mail.html'),
    ],
    shown: `npx lambda-error-mail preview events/http-api-500.json --stage local --throw "TypeError: Cannot read properties of undefined (reading 'sku')" --out mail.html`,
  },
  'preview-404': {
    args: () => ['preview', 'events/http-api-404.json', '--stage', 'local', '--status', '404'],
    shown: 'npx lambda-error-mail preview events/http-api-404.json --stage local --status 404',
  },
  'check-config': {
    args: () => ['check-config', '--stage', 'local'],
    shown: 'npx lambda-error-mail check-config --stage local',
  },
};

/**
 * Runs the command of `sample` in `root` with only PATH from the shell (`--stage local` gives the
 * settings), files it writes going to `outDir`, and returns it as the README shows it: the command,
 * then what it printed on both streams, in order.
 */
export function runCommandSample(sample, root, outDir) {
  const quoted = sample.args((file) => join(outDir, file)).map((arg) => `'${arg.replaceAll("'", "'\\''")}'`);
  const printed = execFileSync('sh', ['-c', `node dist/cli.js ${quoted.join(' ')} 2>&1; true`], {
    cwd: root,
    env: { PATH: process.env.PATH },
    encoding: 'utf8',
  });
  return `$ ${sample.shown}\n${printed.replaceAll(`${outDir}/`, '').replace(/\n+$/, '')}`;
}

/** The demo's bundle, as serverless-esbuild builds it for `npm start`, and the throw in it. */
export const DEMO_BUNDLE = '.esbuild/.build/demo/plain.cjs';
const DEMO_THROW = 'throw new Error("could not load the order list"';

/**
 * The `preview --at` sample against the demo's bundle: where the throw is in `bundle` (its text)
 * now, the command, and `excerpt` to cut what it prints to the traceback's first frame.
 */
export function atSample(bundle) {
  const lines = bundle.split('\n');
  const index = lines.findIndex((line) => line.includes(DEMO_THROW));
  if (index < 0) throw new Error(`${DEMO_BUNDLE} has no \`${DEMO_THROW}\`: rebuild it with npm start`);
  const at = `${DEMO_BUNDLE}:${index + 1}:${(lines[index] ?? '').indexOf('new Error') + 1}`;
  return {
    args: [
      'preview',
      'events/http-api-500.json',
      '--stage',
      'local',
      '--throw',
      'Error: could not load the order list',
      '--at',
      at,
    ],
    shown: `npx lambda-error-mail preview events/http-api-500.json --stage local --throw "Error: could not load the order list" --at ${at}`,
    excerpt(printed) {
      const out = printed.split('\n');
      const start = out.indexOf('Traceback (most recent call last):');
      return `$ ${this.shown}\n...\n${out.slice(start, start + 4).join('\n')}\n...`;
    },
  };
}
