import { hostname } from 'node:os';
import { loadConfig } from '../config/load.js';
import { isAddress } from '../config/values.js';
import type { Mail } from '../core/render/mail.js';
import { describeFailure } from '../pipeline/describe-failure.js';
import { createTransport } from '../transports/select.js';
import { describeBackend } from './check-config.js';
import { type CliIo, EXIT, UsageError } from './io.js';
import { parse } from './parse.js';

export const SENDTESTEMAIL_HELP = `Usage: lambda-error-mail sendtestemail [--admins] [--managers] [address...]

Sends a test mail through the backend the environment selects (Amazon SES by
default), as Django's sendtestemail does: one mail to the addresses given, one
to ADMINS with --admins, one to MANAGERS with --managers. The mails to ADMINS
and MANAGERS carry EMAIL_SUBJECT_PREFIX. All come from SERVER_EMAIL.

Options:
  --admins     mail the addresses in ADMINS
  --managers   mail the addresses in MANAGERS
  -h, --help   show this help

Exit codes: 0 every mail was accepted; 1 one or more were not (the reason is
printed); 2 bad usage or invalid settings.

Example:
  ADMINS=ops@example.com SERVER_EMAIL=errors@example.com AWS_REGION=eu-west-1 \\
    npx lambda-error-mail sendtestemail --admins`;

// A person is waiting at a terminal: longer than a Lambda's send budget, still bounded.
const SEND_TIMEOUT_MS = 30_000;

/** `lambda-error-mail sendtestemail`: one test mail per list named, and one to the addresses given. */
export async function sendTestEmail(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    admins: { type: 'boolean' },
    managers: { type: 'boolean' },
  });
  if (values.help) {
    io.out(SENDTESTEMAIL_HELP);
    return EXIT.ok;
  }
  if (positionals.length === 0 && !values.admins && !values.managers) {
    throw new UsageError(
      'You must specify some email recipients, or pass the --managers or --admins options.',
    );
  }
  const invalid = positionals.filter((address) => !isAddress(address));
  if (invalid.length > 0) {
    throw new UsageError(`not an e-mail address: ${invalid.map((a) => JSON.stringify(a)).join(', ')}`);
  }
  const config = loadConfig(io.env);
  if (values.admins && config.admins.length === 0) {
    throw new UsageError('`--admins`: ADMINS is empty; set it to the addresses that get error mail');
  }
  if (values.managers && config.managers.length === 0) {
    throw new UsageError(
      '`--managers`: MANAGERS is empty; set it to the addresses that get broken-link mail',
    );
  }

  const subject = `Test email from ${hostname()} on ${new Date().toISOString()}`;
  const mails: [label: string, mail: Mail][] = [];
  const mail = (to: readonly string[], prefixed: boolean, text: string): Mail => ({
    from: config.serverEmail,
    to,
    subject: prefixed ? `${config.subjectPrefix}${subject}` : subject,
    text: `${text}\n`,
    html: undefined,
  });
  if (positionals.length > 0) {
    mails.push([
      'the addresses given',
      mail(positionals, false, "If you're reading this, it was successful."),
    ]);
  }
  if (values.admins)
    mails.push(['ADMINS', mail(config.admins, true, 'This email was sent to the site admins.')]);
  if (values.managers) {
    mails.push(['MANAGERS', mail(config.managers, true, 'This email was sent to the site managers.')]);
  }

  io.out(`Sending from ${config.serverEmail} through ${describeBackend(config, io.env)}.`);
  if (config.debug) io.out('Note: DEBUG is true, so error reports are not sent; this test mail is.');
  const transport = createTransport(config);
  let failed = 0;
  for (const [label, message] of mails) {
    try {
      await transport.send(message, AbortSignal.timeout(SEND_TIMEOUT_MS));
      io.out(`Sent to ${label} (${message.to.join(', ')}): "${message.subject}"`);
    } catch (error) {
      failed += 1;
      io.err(`Not sent to ${label} (${message.to.join(', ')}): ${describeFailure(error)}`);
    }
  }
  return failed === 0 ? EXIT.ok : EXIT.failed;
}
