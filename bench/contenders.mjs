// The handlers compared by `npm run bench`: each one a small ES module, as a Lambda user would write it,
// exporting `handler`. They are written to bench/.work/ and imported (or bundled) from there, so each
// resolves its package from bench/node_modules. BENCH_SINK is a loopback HTTP server that answers 200 to
// anything: the peers' endpoints point there, so no byte leaves 127.0.0.1.

const ok = 'const ok = async () => ({ statusCode: 200, body: "ok" });';

/**
 * name -> { label, source, peer, middy, bundleOnly, successOnly, external }. `peer`: another project's reporter, the
 * rows our figures are compared with. `middy`: the major of @middy/core it is built on (5, 6 or 7,
 * installed side by side in bench/package.json as @middy/core-5 and so on), compared with that middy
 * alone too. `bundleOnly`: a way to bundle a contender above, measured bundled only, with `external`
 * left out of the bundle as well as `@aws-sdk/*` (and shipped in node_modules). `successOnly`: measured
 * on the success path only (its module does more than a cold start at import).
 */
export const CONTENDERS = {
  bare: { label: 'bare async handler', source: `${ok}\nexport const handler = ok;` },
  ours: {
    label: 'lambda-error-mail withErrorMail (defaults: timeout warning on)',
    source: `import { withErrorMail } from 'lambda-error-mail';\n${ok}\nexport const handler = withErrorMail(ok);`,
  },
  oursNoWarning: {
    label: 'lambda-error-mail withErrorMail, ERROR_MAIL_TIMEOUT_WARNING_MS=0',
    source: `import { withErrorMail } from 'lambda-error-mail';\n${ok}\nexport const handler = withErrorMail(ok, { timeoutWarningMs: 0 });`,
  },
  oursNodemailerExternal: {
    label: 'lambda-error-mail withErrorMail, bundled with `nodemailer` external (shipped in node_modules)',
    bundleOnly: true,
    external: ['nodemailer', 'nodemailer/*'],
    source: `import { withErrorMail } from 'lambda-error-mail';\n${ok}\nexport const handler = withErrorMail(ok);`,
  },
  ...middyContenders(5),
  ...middyContenders(6),
  ...middyContenders(7),
  sentryNoDsn: {
    peer: true,
    label: '@sentry/aws-serverless wrapHandler, no DSN',
    source: `import * as Sentry from '@sentry/aws-serverless';\nSentry.init({});\n${ok}\nexport const handler = Sentry.wrapHandler(ok);`,
  },
  sentryDsn: {
    peer: true,
    label: '@sentry/aws-serverless wrapHandler, DSN on a loopback sink',
    source: `import * as Sentry from '@sentry/aws-serverless';\nSentry.init({ dsn: process.env.BENCH_SENTRY_DSN });\n${ok}\nexport const handler = Sentry.wrapHandler(ok);`,
  },
  powertools: {
    peer: true,
    label: '@aws-lambda-powertools/logger: addContext + try/catch logger.error',
    source: `import { Logger } from '@aws-lambda-powertools/logger';\nconst logger = new Logger({ serviceName: 'bench' });\n${ok}\nexport const handler = async (event, context) => {\n  logger.addContext(context);\n  try {\n    return await ok(event, context);\n  } catch (error) {\n    logger.error('handler failed', error);\n    throw error;\n  }\n};`,
  },
  honeybadger: {
    peer: true,
    label: '@honeybadger-io/js lambdaHandler',
    source: `import Honeybadger from '@honeybadger-io/js';\nHoneybadger.configure({ apiKey: 'bench-key', endpoint: process.env.BENCH_SINK, environment: 'production' });\n${ok}\nexport const handler = Honeybadger.lambdaHandler(ok);`,
  },
  bugsnagNoSessions: {
    peer: true,
    label: '@bugsnag/plugin-aws-lambda, sessions off',
    source: bugsnag(false),
  },
  bugsnagSessions: {
    peer: true,
    label: '@bugsnag/plugin-aws-lambda, sessions on (the default)',
    source: bugsnag(true),
  },
};

/**
 * With BENCH_BEFORE set (a git revision), the library as that revision built it, installed beside the
 * current one as `lambda-error-mail-before` (bench/peers.mjs builds it): the rows a change is judged by,
 * measured in the same run as the rows after it.
 */
export function beforeContenders(revision) {
  const ours = `import { withErrorMail } from 'lambda-error-mail-before';`;
  return {
    oursAtBefore: {
      label: `lambda-error-mail withErrorMail (defaults), as built at ${revision}`,
      source: `${ours}\n${ok}\nexport const handler = withErrorMail(ok);`,
    },
    oursNodemailerExternalAtBefore: {
      label: `lambda-error-mail withErrorMail, bundled with \`nodemailer\` external, as built at ${revision}`,
      bundleOnly: true,
      external: ['nodemailer', 'nodemailer/*'],
      source: `${ours}\n${ok}\nexport const handler = withErrorMail(ok);`,
    },
    oursMiddyAtBefore7: {
      label: `lambda-error-mail errorMail() registered before http-error-handler (then the advice), middy 7, as built at ${revision}`,
      middy: 7,
      source: `import middy from '@middy/core-7';\nimport httpErrorHandler from '@middy/http-error-handler-7';\nimport { errorMail } from 'lambda-error-mail-before';\n${ok}\nexport const handler = middy(ok).use(errorMail()).use(httpErrorHandler());`,
    },
  };
}

function bugsnag(sessions) {
  return `import Bugsnag from '@bugsnag/js';\nimport BugsnagPluginAwsLambda from '@bugsnag/plugin-aws-lambda';\nBugsnag.start({\n  apiKey: '0123456789abcdef0123456789abcdef',\n  plugins: [BugsnagPluginAwsLambda],\n  endpoints: { notify: process.env.BENCH_SINK, sessions: process.env.BENCH_SINK },\n  autoTrackSessions: ${sessions},\n  logger: null,\n});\n${ok}\nexport const handler = Bugsnag.getPlugin('awsLambda').createHandler()(ok);`;
}

/**
 * The rows built on one major of middy: middy alone, errorMail() registered after and before
 * http-error-handler (middy runs onError middlewares last registered first, so the two orders see the
 * error before and after http-error-handler has replaced it), errorMail() alone (middy 7 only, the
 * row this page had before), and the peer that does the same job, error-logger with http-error-handler.
 */
function middyContenders(major) {
  const core = `import middy from '@middy/core-${major}';`;
  const handler = `import httpErrorHandler from '@middy/http-error-handler-${major}';`;
  const ours = `import { errorMail } from 'lambda-error-mail';`;
  return {
    [`middy${major}`]: {
      label: `@middy/core ${major} alone`,
      middy: major,
      source: `${core}\n${ok}\nexport const handler = middy(ok);`,
    },
    [`oursMiddyAfter${major}`]: {
      label: `lambda-error-mail errorMail() registered after http-error-handler, middy ${major}`,
      middy: major,
      source: `${core}\n${handler}\n${ours}\n${ok}\nexport const handler = middy(ok).use(httpErrorHandler()).use(errorMail());`,
    },
    [`oursMiddyBefore${major}`]: {
      label: `lambda-error-mail errorMail() registered before http-error-handler, middy ${major}`,
      middy: major,
      source: `${core}\n${handler}\n${ours}\n${ok}\nexport const handler = middy(ok).use(errorMail()).use(httpErrorHandler());`,
    },
    [`hooks${major}`]: {
      label: `a middleware with empty before and after hooks (what middy ${major} charges any middleware that has them)`,
      middy: major,
      source: `${core}\n${ok}\nexport const handler = middy(ok).use({ before() {}, after() {} });`,
    },
    ...(major === 7
      ? {
          oursMiddyBeforeAnswered7: {
            label:
              'lambda-error-mail errorMail() registered before http-error-handler, after a failure the error handler answered (it then keeps the first error), middy 7',
            middy: major,
            // Its first failure is mailed at import, through the console backend: not a cold start to compare.
            successOnly: true,
            source: `${core}\n${handler}\n${ours}\nconst ok = async (event) => {\n  if (event.fail) throw new Error('the first failure of the container');\n  return { statusCode: 200, body: 'ok' };\n};\nexport const handler = middy(ok)\n  .use(errorMail({ env: { ...process.env, EMAIL_BACKEND: 'console' }, log: () => undefined }))\n  .use(httpErrorHandler({ logger: false }));\nconst deadline = Date.now() + 30_000;\nawait handler({ fail: true }, { awsRequestId: 'first', getRemainingTimeInMillis: () => deadline - Date.now() });`,
          },
          oursMiddy7: {
            label: 'lambda-error-mail errorMail() alone, middy 7',
            middy: major,
            source: `${core}\n${ours}\n${ok}\nexport const handler = middy(ok).use(errorMail());`,
          },
        }
      : {}),
    [`middyErrorLogger${major}`]: {
      label: `@middy/error-logger + @middy/http-error-handler, middy ${major}`,
      peer: true,
      middy: major,
      source: `${core}\nimport errorLogger from '@middy/error-logger-${major}';\n${handler}\n${ok}\nexport const handler = middy(ok).use(errorLogger()).use(httpErrorHandler());`,
    },
  };
}
