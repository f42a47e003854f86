import { readFile, writeFile } from 'node:fs/promises';
import { ConfigError } from '../config/error.js';
import { checkConfig } from './check-config.js';
import { type CliIo, EXIT, UsageError } from './io.js';
import { preview } from './preview.js';
import { sendTestEmail } from './sendtestemail.js';
import { FunctionEnvError } from './serverless-stage.js';

declare const LEM_VERSION: string;

const HELP = `Usage: lambda-error-mail <command> [options]

Commands:
  sendtestemail [--admins] [--managers] [address...]
      send a test mail through the configured backend
  preview <event.json> [[--throw "Type: message"] [--at FILE:LINE[:COLUMN]] | --status N] [--out FILE]
          [--stage NAME | --env-file FILE]
      render the mail the current settings would send for an event, without sending it;
      --at throws at a position of a bundle, mapped through its source map
  check-config [--stage NAME | --env-file FILE]
      validate the settings in the environment and print the effective values

Settings come from the environment, as in the Lambda function: ADMINS,
MANAGERS, SERVER_EMAIL, EMAIL_BACKEND... With --stage NAME, preview and
check-config read that stage's provider.environment from serverless.yml
instead; with --env-file FILE, that file's variables. Run a command with
--help for more.`;

const COMMANDS: Readonly<Record<string, (args: readonly string[], io: CliIo) => number | Promise<number>>> = {
  sendtestemail: sendTestEmail,
  preview,
  'check-config': checkConfig,
};

/** Runs one command line and returns its exit code; never throws. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.out(HELP);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  if (command === '--version' || command === '-v') {
    io.out(typeof LEM_VERSION === 'string' ? LEM_VERSION : 'development');
    return EXIT.ok;
  }
  const run = COMMANDS[command];
  if (run === undefined) {
    io.err(
      `lambda-error-mail: unknown command ${JSON.stringify(command)}; the commands are ${Object.keys(COMMANDS).join(', ')}`,
    );
    return EXIT.usage;
  }
  try {
    return await run(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`lambda-error-mail ${command}: ${error.message}`);
      io.err(`Run \`lambda-error-mail ${command} --help\` for usage.`);
      return EXIT.usage;
    }
    if (error instanceof FunctionEnvError) {
      io.err(`lambda-error-mail ${command}: ${error.message}`);
      return EXIT.usage;
    }
    if (error instanceof ConfigError) {
      io.err(error.message);
      return EXIT.usage;
    }
    io.err(
      `lambda-error-mail ${command}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
    );
    return EXIT.failed;
  }
}

/** The real process: environment, standard streams and files. */
export const processIo: CliIo = {
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  readText: async (path) => {
    if (path !== '-') return readFile(path, 'utf8');
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  writeFile: (path, data) => writeFile(path, data),
};
