import { main, processIo } from './main.js';

// A reader that stops early (`| head`) closes the pipe: stop quietly, as other commands do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

// The AWS SDK prints a nine-line warning on Node.js 20 that its releases from 2027 need Node.js 22.
// Lambda runs 22 and 24 already; on a laptop it is noise in every command's output. A value the user
// set stands. The commands read the environment as the user gave it, without this variable.
const env = { ...process.env };
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Let pending writes and sockets finish on their own: exitCode, not exit().
process.exitCode = await main(process.argv.slice(2), { ...processIo, env });
