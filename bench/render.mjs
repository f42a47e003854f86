// Writes BENCHMARKS.md from one run's figures (bench/results/run.json, written by bench/all.mjs): every
// figure of the generated part comes from that file, and whether a target is met is decided here from
// those figures. The part of the page below END is written by hand and kept as it is.
// `node bench/render.mjs [run.json]` renders again without running anything.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './median.mjs';

const END =
  '<!-- end of the generated part: everything below is written by hand; bench/render.mjs keeps it as it is -->';
const MIDDY = [5, 6, 7];

/** The targets' thresholds, in one place: the page's "met?" column is computed from these. */
export const TARGETS = {
  successNs: 80,
  middyNs: 50,
  bundledImportMs: 2.5,
  importMs: 3,
  importMiB: 1,
  firstReportMs: 250,
  firstReportSmallMs: 1000,
  captureInvocationNs: 10,
  captureLinePercent: 5,
  warmOverRoundTripMs: 5,
};

const fmt = (n, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ns = (value) =>
  Math.abs(value) >= 10_000
    ? `${fmt(value / 1e6, 2)} ms`
    : Math.abs(value) >= 1000
      ? `${fmt(value / 1000, 2)} µs`
      : `${fmt(value)} ns`;
const ms = (value, digits = 1) => `${fmt(value, digits)} ms`;
const met = (ok) => (ok ? 'yes' : 'no');
const bare = (version) => version.replace(/^v/, '');
const nodeName = (node) => `Node ${bare(node.version)}`;
/** "1 fresh process", "5 fresh processes". */
const count = (n, one, many = `${one}s`) => `${fmt(n)} ${n === 1 ? one : many}`;
const range = (values, format) => {
  const low = Math.min(...values);
  const high = Math.max(...values);
  return low === high ? format(low) : `${format(low)} to ${format(high)}`;
};
const LINES = {
  'short,true': "console.log of a short line, by the Lambda runtime's console",
  'json,true': "console.log of a 1 KB JSON line, by the Lambda runtime's console",
  'short,false': "console.log of a short line, by Node.js's console",
  'json,false': "console.log of a 1 KB JSON line, by Node.js's console",
};

/** The page: the generated part from `run`, then the hand-written part of `previous` (the page now). */
export function renderPage(run, previous) {
  const at = previous.indexOf(END);
  if (at === -1)
    throw new Error(`BENCHMARKS.md: the line "${END}" is missing; the hand-written part starts there`);
  return `${generated(run)}\n${previous.slice(at)}`;
}

function generated(run) {
  const out = [];
  const push = (...lines) => out.push(...lines);
  const nodes = run.nodes;
  const minutes = run.wallMs / 60_000;
  push(
    '# Benchmarks',
    '',
    '<!-- Written by bench/render.mjs from bench/results/run.json (`npm run bench`): change the generator, not this part. -->',
    '',
    'What lambda-error-mail costs a Lambda function, next to the error reporters a serverless team would',
    `otherwise pick. Every figure down to the hand-written sections at the end is from one run of \`npm run bench\`, started ${run.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')} at ${run.commit}${run.changed ? ' (with changes to src/ not yet committed)' : ''}, on ${nodes.map(nodeName).join(', ')}${nodes.length > 1 ? ', one after the other' : ''}: ${fmt(minutes, 1)} minutes in all. Absolute figures move with the machine; compare the rows of one table.`,
  );
  if (run.quick) {
    push(
      '',
      '**This was a quick run** (`BENCH_QUICK=1`): its medians are of one or two samples, for checking the command, not for reading.',
    );
  }
  if (run.parts.length < 5) {
    push(
      '',
      `**This run ran only some parts** (\`BENCH_PARTS=${run.parts.join(',')}\`): the other tables are left out.`,
    );
  }
  push('', '## Targets', '', ...targets(run), '');
  push('## Machine and versions', '', ...machine(run), '');
  push('## Commands', '', ...commands(run), '');
  push('## Method', '', ...method(run), '');
  for (const node of nodes) {
    push(`## ${nodeName(node)}`, '');
    if (node.peers?.contenders.ours?.success) push(...success(node), '');
    if (node.peers?.contenders.ours?.cold) push(...cold(node), '');
    if (node.errors || node.lowmem) push(...errorPath(node), '');
    if (node.logs) push(...logs(node), '');
    if (node.errors) push(...floods(node), '');
  }
  return out.join('\n');
}

function targets(run) {
  // With BENCH_BEFORE, the build of that revision ran beside this one: its figures are a column.
  const revision = run.before ?? beforeOf(run);
  const rows = revision
    ? [
        `| target | Node | lambda-error-mail | the build at ${revision}, same run | best peer in the same run | met? |`,
        '| --- | --- | --- | --- | --- | --- |',
      ]
    : [
        '| target | Node | lambda-error-mail | best peer in the same run | met? |',
        '| --- | --- | --- | --- | --- |',
      ];
  const add = (target, list) => {
    list.forEach((row, i) => {
      const before = revision ? ` ${row.before ?? ''} |` : '';
      rows.push(
        `| ${i === 0 ? target : ''} | ${row.node} | ${row.ours} |${before} ${row.peer} | ${row.met} |`,
      );
    });
  };
  const each = (pick) =>
    run.nodes.flatMap((node) => {
      const row = pick(node);
      return row === undefined ? [] : [{ node: bare(node.version), ...row }];
    });
  const c = (node, name) => node.peers?.contenders[name];
  const peers = (node, filter) =>
    Object.values(node.peers?.contenders ?? {}).filter((entry) => entry.peer && filter(entry));
  const best = (list, value) => {
    const sorted = list
      .map((entry) => ({ entry, value: value(entry) }))
      .filter((item) => Number.isFinite(item.value))
      .sort((a, b) => a.value - b.value);
    return sorted[0];
  };
  const overMiddy = (node, name) => {
    const entry = c(node, name);
    return (
      entry.success.overMiddyNs ?? entry.success.addedNs - c(node, `middy${entry.middy}`).success.addedNs
    );
  };

  add(
    `success path of withErrorMail with the defaults: at most ${TARGETS.successNs} ns over a bare handler`,
    each((node) => {
      const ours = c(node, 'ours')?.success;
      if (ours === undefined) return undefined;
      const peer = best(
        peers(node, (entry) => entry.middy === null && entry.success),
        (entry) => entry.success.addedNs,
      );
      const before = c(node, 'oursAtBefore')?.success;
      return {
        ours: `${ns(ours.addedNs)} (timeout warning off: ${ns(c(node, 'oursNoWarning').success.addedNs)})`,
        before: before ? ns(before.addedNs) : undefined,
        peer: peer ? `${ns(peer.value)}: ${peer.entry.label}` : '',
        met: met(ours.addedNs <= TARGETS.successNs),
      };
    }),
  );
  for (const major of MIDDY) {
    add(
      `errorMail() under middy ${major}: at most ${TARGETS.middyNs} ns over middy ${major} alone, registered after and before http-error-handler`,
      each((node) => {
        if (c(node, `middy${major}`)?.success === undefined) return undefined;
        const after = overMiddy(node, `oursMiddyAfter${major}`);
        const before = overMiddy(node, `oursMiddyBefore${major}`);
        const atBefore = c(node, `oursMiddyAtBefore${major}`)?.success
          ? overMiddy(node, `oursMiddyAtBefore${major}`)
          : undefined;
        return {
          ours: `after ${ns(after)}, before ${ns(before)}; empty before and after hooks: ${ns(overMiddy(node, `hooks${major}`))}`,
          before:
            atBefore === undefined
              ? undefined
              : `${ns(atBefore)} (registered before http-error-handler, as advised then)`,
          peer: `${ns(overMiddy(node, `middyErrorLogger${major}`))}: error-logger + http-error-handler`,
          met: met(after <= TARGETS.middyNs && before <= TARGETS.middyNs),
        };
      }),
    );
  }
  const bundledPeer = (node) =>
    best(
      peers(node, (entry) => entry.cold),
      (entry) => entry.cold.bundled.ms,
    );
  for (const [name, what] of [
    ['ours', 'bundled with everything in it (esbuild, CommonJS, `@aws-sdk/*` external)'],
    ['oursNodemailerExternal', 'bundled with `nodemailer` external as well (shipped in node_modules)'],
  ]) {
    add(
      `${what}: import at most ${TARGETS.bundledImportMs} ms`,
      each((node) => {
        const ours = c(node, name)?.cold;
        if (ours === undefined) return undefined;
        const peer = bundledPeer(node);
        const before = c(node, `${name}AtBefore`)?.cold;
        return {
          ours: `${ms(ours.bundled.ms)}, ${fmt(ours.bundleKiB, 1)} KiB`,
          before: before ? `${ms(before.bundled.ms)}, ${fmt(before.bundleKiB, 1)} KiB` : undefined,
          peer: peer ? `${ms(peer.value)}: ${peer.entry.label}` : '',
          met: met(ours.bundled.ms <= TARGETS.bundledImportMs),
        };
      }),
    );
  }
  add(
    `import at most ${TARGETS.importMs} ms and ${TARGETS.importMiB} MiB (a handler module that imports the package and wraps a handler)`,
    each((node) => {
      const ours = c(node, 'ours')?.cold?.unbundled;
      if (ours === undefined) return undefined;
      const peer = best(
        peers(node, (entry) => entry.cold?.unbundled),
        (entry) => entry.cold.unbundled.ms,
      );
      const before = c(node, 'oursAtBefore')?.cold?.unbundled;
      return {
        ours: `${ms(ours.ms)}, RSS +${fmt(ours.rssMiB, 1)} MiB, heap +${fmt(ours.heapMiB, 2)} MiB`,
        before: before
          ? `${ms(before.ms)}, RSS +${fmt(before.rssMiB, 1)} MiB, heap +${fmt(before.heapMiB, 2)} MiB`
          : undefined,
        peer: peer
          ? `${ms(peer.value)}, RSS +${fmt(peer.entry.cold.unbundled.rssMiB, 1)} MiB: ${peer.entry.label}`
          : '',
        met: met(
          ours.ms <= TARGETS.importMs &&
            ours.rssMiB <= TARGETS.importMiB &&
            ours.heapMiB <= TARGETS.importMiB,
        ),
      };
    }),
  );
  add(
    `first report in a container at full CPU: at most ${TARGETS.firstReportMs} ms from the throw to the caller`,
    each((node) =>
      node.errors
        ? {
            ours: ms(node.errors.firstMs),
            peer: 'no peer sends mail',
            met: met(node.errors.firstMs <= TARGETS.firstReportMs),
          }
        : undefined,
    ),
  );
  add(
    `first report at 128 MB (7.2% of a vCPU): at most ${fmt(TARGETS.firstReportSmallMs)} ms to the caller, and mailed with that invocation`,
    each((node) => {
      const row = node.lowmem?.rows.find((r) => r.size === 128);
      if (row === undefined) return undefined;
      const throwMs = median(row.samples.map((s) => s.ms));
      const atOnce = row.samples.filter((s) => s.mailedIn === 1).length;
      return {
        ours: `${ms(throwMs, 0)}; mailed with it in ${atOnce} of ${row.samples.length} runs`,
        peer: 'no peer sends mail',
        met: met(throwMs <= TARGETS.firstReportSmallMs && atOnce === row.samples.length),
      };
    }),
  );
  add(
    `log capture: at most ${TARGETS.captureInvocationNs} ns per invocation`,
    each((node) =>
      node.logs
        ? {
            ours: ns(node.logs.invocation.addedNs),
            peer: 'no peer captures log lines',
            met: met(node.logs.invocation.addedNs <= TARGETS.captureInvocationNs),
          }
        : undefined,
    ),
  );
  add(
    `log capture: a captured console.log at most ${TARGETS.captureLinePercent}% over the bare call (the four line rows)`,
    each((node) => {
      if (!node.logs) return undefined;
      const percents = node.logs.lines.map((line) => (100 * line.addedNs) / line.offNs);
      return {
        ours: percents.map((p) => `${fmt(p, 1)}%`).join(', '),
        peer: 'no peer captures log lines',
        met: met(percents.every((p) => p <= TARGETS.captureLinePercent)),
      };
    }),
  );
  add(
    `warm error path: at most ${TARGETS.warmOverRoundTripMs} ms over the SES round trip`,
    each((node) => {
      if (!node.errors) return undefined;
      const over = node.errors.warmMs - node.errors.roundTripMs;
      return {
        ours: `${ms(over)} over (${ms(node.errors.warmMs)} to the caller, ${ms(node.errors.roundTripMs)} the round trip)`,
        peer: 'no peer sends mail',
        met: met(over <= TARGETS.warmOverRoundTripMs),
      };
    }),
  );
  rows.push(
    '',
    'The targets measured by other commands (source maps, lazy loading) are in "Measured before, by other commands", below.',
  );
  return rows;
}

/** The revision of the "as built at" rows, for a run that did not record it. */
function beforeOf(run) {
  for (const node of run.nodes) {
    const label = node.peers?.contenders.oursAtBefore?.label;
    const found = label === undefined ? null : / as built at (\S+)$/.exec(label);
    if (found) return found[1];
  }
  return null;
}

function machine(run) {
  const { machine: m } = run;
  const lines = [
    `- This machine: ${m.cpu}, ${m.cores} cores, ${fmt(m.memoryGiB)} GiB, ${m.platform}, shared with other work (so every figure is a median of interleaved samples, never one run).`,
    `- ${run.nodes.map(nodeName).join(', ')}.`,
  ];
  const versions = run.nodes.find((node) => node.peers)?.peers.versions;
  if (versions) {
    const middy = (name) => MIDDY.map((major) => versions[`@middy/${name}-${major}`]).join(', ');
    lines.push(
      `- lambda-error-mail ${versions['lambda-error-mail']} (this repository, installed as \`npm pack\` ships it), \`@sentry/aws-serverless\` ${versions['@sentry/aws-serverless']}, \`@middy/core\` ${middy('core')}, \`@middy/error-logger\` ${middy('error-logger')}, \`@middy/http-error-handler\` ${middy('http-error-handler')}, \`@aws-lambda-powertools/logger\` ${versions['@aws-lambda-powertools/logger']}, \`@honeybadger-io/js\` ${versions['@honeybadger-io/js']}, \`@bugsnag/js\` ${versions['@bugsnag/js']} with \`@bugsnag/plugin-aws-lambda\` ${versions['@bugsnag/plugin-aws-lambda']}, esbuild ${versions.esbuild}, \`aws-ses-v2-local\` for SES.`,
    );
  }
  return lines;
}

function commands(run) {
  const parts = run.nodes.map((node) => {
    const total = Object.values(node.partMs).reduce((a, b) => a + b, 0);
    const each = Object.entries(node.partMs)
      .map(([part, time]) => `${part} ${fmt(time / 60_000, 1)}`)
      .join(', ');
    return `${nodeName(node)} ${fmt(total / 60_000, 1)} min (${each})`;
  });
  return [
    '```sh',
    "npm run bench            # builds, installs bench/'s peers (npm ci), runs every part on Node 20, 22 and 24, writes this page",
    'BENCH_QUICK=1 npm run bench                  # a few samples per part: the whole command in a few minutes',
    'BENCH_NODES=20 BENCH_PARTS=success npm run bench   # one Node.js, one part',
    'BENCH_BEFORE=<revision> npm run bench        # also that revision of the library, built beside this one: a column of the targets',
    'node bench/render.mjs    # this page again from bench/results/run.json, without running anything',
    'npm run bench:budgets    # the library alone: success path, import, lazy loading, report time for the largest inputs',
    'npm run bench:faults     # per SES fault: throw to caller, and whether the mail went',
    'npm run bench:lowmem     # the first report at the CPU share of 128 to 1,024 MB (root and cgroup v1), and at full CPU',
    "npm run bench:source-maps   # what mapping a bundled function's stack adds to its first and later reports",
    'npm run bench:logs       # the log capture part alone',
    "node bench/enable-source-maps.mjs   # what Node.js's --enable-source-maps costs the same kind of bundle",
    '```',
    '',
    `This run took ${fmt(run.wallMs / 60_000, 1)} minutes after the build and install: ${parts.join('; ')}.`,
    '',
    '- `BENCH_NODES`: majors or paths, comma-separated (default `20,22,24`). A major is this Node.js when it is that',
    "  major, else `BENCH_NODE_22` (and so on) when set, else npm's cached `node@22` package.",
    '- `BENCH_PARTS`: any of `success`, `cold`, `errors` (with the floods), `lowmem` (the 128 MB row; root and',
    '  cgroup v1, skipped with a note without them), `logs` (default all). `BENCH_LOWMEM_NODES` limits the',
    '  128 MB part to some of the Nodes.',
    '- `BENCH_QUICK=1` sets every count below to one or two; a count set explicitly still wins.',
    '- `BENCH_PROCESSES` (5) and `BENCH_ROUNDS` (9) for the success path, `BENCH_IMPORT_PROCESSES` (7) for the',
    '  cold start, `BENCH_ERROR_PROCESSES` (7) for the error path, `BENCH_LOWMEM_RUNS` (3 here, 5 in',
    '  `bench:lowmem`) for 128 MB, `BENCH_LOG_PROCESSES` (5) and `BENCH_LOG_PAIRS` (9) for log capture.',
    '',
    "The peers are `bench/package.json`'s devDependencies, never the library's; middy 5, 6 and 7 are installed",
    "there side by side as `@middy/core-5` and so on. Every address is 127.0.0.1: the peers' endpoints",
    "(Sentry's DSN, Bugsnag's and Honeybadger's) point at a loopback sink that answers 200 to anything and",
    'counts requests, and mail goes to `aws-ses-v2-local`. The figures of each part are kept as JSON in',
    '`bench/results/` (ignored by git).',
  ];
}

function method(run) {
  const node = run.nodes.find((n) => n.peers) ?? {};
  const s = node.peers?.settings ?? {};
  const e = run.nodes.find((n) => n.errors)?.errors.settings;
  const l = run.nodes.find((n) => n.logs)?.logs.settings;
  const low = run.nodes.find((n) => n.lowmem)?.lowmem;
  const lines = [
    '- **Contenders** are small handler modules, written by `bench/contenders.mjs` the way a user would',
    '  write them: import the library, wrap `async () => ({ statusCode: 200 })`. The Powertools logger',
    '  has no wrapper of its own outside middy, so its row is its documented manual use: `addContext` on',
    '  every call and `logger.error` in a catch. Under middy, `errorMail()` is measured registered after',
    '  `http-error-handler` (`middy(ok).use(httpErrorHandler()).use(errorMail())`) and before it',
    '  (`middy(ok).use(errorMail()).use(httpErrorHandler())`), on each of middy 5, 6 and 7, beside',
    '  error-logger with http-error-handler of the same version.',
  ];
  if (s.processes !== undefined) {
    lines.push(
      `- **Success path**: each contender runs in ${count(s.processes, 'fresh process', 'fresh processes')} (peers patch globals: Sentry's`,
      "  OpenTelemetry hooks, Bugsnag's process listeners), contenders interleaved across processes. In",
      `  each process the bare handler and the wrapped one alternate for ${count(s.rounds, 'round')}; a round is about 100 ms`,
      '  of calls of the slower one. Every call gets a new Lambda-like context whose',
      "  `getRemainingTimeInMillis` reads the clock, as the runtime's does. The figure is the median of the",
      `  per-round differences (${s.processes * s.rounds} per contender), so a slow moment that hits both cancels out. A row built on middy`,
      '  alternates with the same middy version alone instead of the bare handler: its "over middy alone" is that pairing\'s median, and its "added per call" adds middy alone\'s own figure. A single process can hold one level for',
      '  several rounds, which is why the median pools the rounds of several processes. middy 7 asks for',
      '  Node.js 22 or later (its `engines`); its rows on Node 20 run all the same.',
      `- **Cold start**: a fresh process first loads a warm-up module, then the contender's module, and`,
      '  reports the time, RSS and heap after a GC; the baseline is the same with an empty module; medians of',
      `  ${count(s.importProcesses, 'process', 'processes')}. The warm-up stands for the loader's own start-up: it imports two tiny packages through`,
      '  exports maps, because Node checks every exports target with a regular expression of its own that V8',
      '  compiles on the first use and again on the second, a cost that would otherwise fall on whichever',
      "  contender's package is resolved first. Unbundled modules are `import()`ed; bundles (esbuild,",
      '  CommonJS, `@aws-sdk/*` external as the Lambda runtime ships it) are `require()`d, as the runtime',
      '  loads a CommonJS handler.',
    );
  }
  if (e) {
    lines.push(
      `- **Error path**: ${count(e.processes, 'fresh process', 'fresh processes')} ("containers") against \`aws-ses-v2-local\`, flood control off so`,
      '  every failure mails. The first report loads the report path, the SES client and the MIME composer;',
      `  warm reports are the next ${e.warmReports}, then ${e.largeReports} with a 6 MB body. The SES round trip is the SDK alone sending a message of`,
      "  a report's size through a warm client of the same settings, imported only after the reports, so that",
      "  the first report loads the SDK as a container's does.",
    );
  }
  if (low) {
    lines.push(
      `- **128 MB**: ${count(low.settings.runs, 'fresh process', 'fresh processes')} under a cgroup v1 CPU quota of 7.2% of one CPU, the share Lambda gives`,
      `  128 MB (1,769 MB is one vCPU), default settings and a ${fmt(low.settings.timeoutMs)} ms function timeout. The first invocation`,
      '  throws; until its mail is out, up to four more invocations run (they succeed), since a report that',
      '  could not be sent in time goes out with the next invocation.',
    );
  }
  if (l) {
    lines.push(
      '- **Log capture**: per invocation, a wrapper with `ERROR_MAIL_CAPTURE_LOGS=true` and one with it off',
      `  alternate in one process (blocks of ${fmt(l.blockInvocations)} invocations, a new context for each, process CPU time, the`,
      `  median of ${l.blocks} pairs; ${count(l.processes, 'fresh process', 'fresh processes')}). Per line, fresh processes with capture off and on alternate`,
      `  (${count(l.pairs, 'pair')}; each logs ${fmt(l.lines)} lines after a warm-up, in process CPU time). "The Lambda runtime's`,
      '  console" frames each line to a descriptor with `fs.writeSync`, as aws-lambda-ric 4 does; "Node.js\'s',
      '  console" writes standard output. Both write to /dev/null.',
    );
  }
  if (e) lines.push('- **Floods**: one process, default settings, every invocation a new context.');
  return lines;
}

function success(node) {
  const { contenders } = node.peers;
  const entries = Object.entries(contenders).filter(([, entry]) => entry.success);
  const row = ([name, entry]) => {
    const s = entry.success;
    const alone = entry.middy === null ? undefined : contenders[`middy${entry.middy}`].success.addedNs;
    const over =
      alone === undefined || name === `middy${entry.middy}` ? '' : ns(s.overMiddyNs ?? s.addedNs - alone);
    return `| ${entry.label} | ${ns(s.addedNs)} | ${fmt(s.wrappedNs / s.bareNs, 1)} | ${over} | ${fmt(s.requestsPerCall, 2)} | ${fmt(s.calls)} |`;
  };
  const plain = entries
    .filter(([, entry]) => entry.middy === null)
    .sort((a, b) => a[1].success.addedNs - b[1].success.addedNs);
  return [
    '### Success path',
    '',
    `Added per successful invocation over a bare async handler (${ns(contenders.ours.success.bareNs)} per call in this run); the middy rows grouped by version:`,
    '',
    '| contender | added per call | x bare | over middy alone | requests per call | calls per sample |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...plain.map(row),
    ...MIDDY.flatMap((major) => entries.filter(([, entry]) => entry.middy === major).map(row)),
  ];
}

function cold(node) {
  const { contenders } = node.peers;
  const rows = Object.values(contenders)
    .filter((entry) => entry.cold)
    .map((entry) => {
      const { unbundled: u, bundled: b, bundleKiB, gzippedKiB } = entry.cold;
      const left = u ? `${fmt(u.ms, 1)} | ${fmt(u.rssMiB, 1)} | ${fmt(u.heapMiB, 2)}` : ' |  | ';
      return `| ${entry.label} | ${left} | ${fmt(b.ms, 1)} | ${fmt(b.rssMiB, 1)} | ${fmt(bundleKiB, 1)} | ${fmt(gzippedKiB, 1)} |`;
    });
  return [
    '### Cold start',
    '',
    'Time, RSS and heap added by importing the handler module, over an empty one; bundle sizes:',
    '',
    '| contender | import ms | RSS MiB | heap MiB | bundled: import ms | bundled: RSS MiB | bundle KiB | gzipped KiB |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ];
}

function errorPath(node) {
  const rows = [
    '### Error path',
    '',
    'From the throw to the caller, through a local SES:',
    '',
    '| case | processes | throw to caller | over the SES round trip | mails in the local SES |',
    '| --- | ---: | ---: | ---: | --- |',
  ];
  const e = node.errors;
  if (e) {
    const over = (value) => ms(value - e.roundTripMs);
    const n = e.settings.processes;
    rows.push(
      `| SendRawEmail alone (the SDK, warm client, ${fmt(e.messageKiB)} KiB message) | ${n} | ${ms(e.roundTripMs)} | | |`,
      `| first report in a container at full CPU (loads the report path, the SDK and the composer) | ${n} | ${ms(e.firstMs)} | ${over(e.firstMs)} | ${e.mailed === undefined ? '' : `${fmt(e.mailed)} of the ${fmt(e.reports)} reports of this row and the next two`} |`,
      `| warm report (median of ${e.settings.warmReports} per process) | ${n} | ${ms(e.warmMs)} | ${over(e.warmMs)} | |`,
      `| warm report of a 6 MB request body (median of ${e.settings.largeReports} per process) | ${n} | ${ms(e.largeMs)} | ${over(e.largeMs)} | |`,
    );
  }
  const row = node.lowmem?.rows.find((r) => r.size === 128);
  if (row) {
    const samples = row.samples;
    const atOnce = samples.filter((s) => s.mailedIn === 1).length;
    const later = samples.filter((s) => s.mailedIn > 1);
    const never = samples.length - atOnce - later.length;
    const laterText =
      later.length === 0
        ? ''
        : `, ${later.length} with a later one (invocation ${later.map((s) => s.mailedIn).join(', ')}; the later invocations took ${range(
            later.flatMap((s) => s.laterMs),
            (v) => ms(v, 0),
          )})`;
    rows.push(
      `| first report at 128 MB (7.2% of a vCPU, default settings, ${fmt(node.lowmem.settings.timeoutMs)} ms timeout; all runs: ${samples.map((s) => fmt(s.ms)).join(', ')} ms) | ${samples.length} | ${ms(median(samples.map((s) => s.ms)), 0)} | ${e ? ms(median(samples.map((s) => s.ms)) - e.roundTripMs, 0) : ''} | ${atOnce} of ${samples.length} with the invocation${laterText}${never > 0 ? `, ${never} not within five invocations` : ''}${samples.every((s) => s.caught) ? '' : `; the caller did not get the error in ${samples.filter((s) => !s.caught).length}`} |`,
    );
  } else if (node.lowmem?.unavailable) {
    rows.push(`| first report at 128 MB | 0 | not run: ${node.lowmem.unavailable} | | |`);
  }
  return rows;
}

function logs(node) {
  const { invocation, lines } = node.logs;
  return [
    '### Log capture',
    '',
    'What `ERROR_MAIL_CAPTURE_LOGS=true` adds, in process CPU time (off by default):',
    '',
    '| what | capture off | capture on | added |',
    '| --- | ---: | ---: | ---: |',
    `| a successful invocation (withErrorMail, timeout warning off) | ${fmt(invocation.offNs, 1)} ns | ${fmt(invocation.offNs + invocation.addedNs, 1)} ns | ${fmt(invocation.addedNs, 1)} ns |`,
    ...lines.map(
      (line) =>
        `| ${LINES[`${line.line},${line.runtime}`]} | ${fmt(line.offNs)} ns | ${fmt(line.offNs + line.addedNs)} ns | ${fmt(line.addedNs)} ns (${fmt((100 * line.addedNs) / line.offNs, 1)}%) |`,
    ),
  ];
}

function floods(node) {
  const { identical, distinct } = node.errors.floods;
  return [
    '### Floods',
    '',
    'One container, default flood control (`ERROR_MAIL_THROTTLE_SECONDS=300`, `ERROR_MAIL_MAX_PER_MINUTE=10`):',
    '',
    '| errors | mails sent | total time |',
    '| --- | ---: | ---: |',
    `| ${fmt(identical.errors)} identical | ${identical.mails} | ${ms(identical.ms, 0)} |`,
    `| ${fmt(distinct.errors)} distinct | ${distinct.mails} | ${ms(distinct.ms, 0)} |`,
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const here = dirname(fileURLToPath(import.meta.url));
  const run = JSON.parse(readFileSync(process.argv[2] ?? join(here, 'results', 'run.json'), 'utf8'));
  const page = join(here, '..', 'BENCHMARKS.md');
  writeFileSync(page, renderPage(run, readFileSync(page, 'utf8')));
}
