import { main, processIo } from './main.js';

// A reader that stops early (`| head`) closes the pipe: stop quietly, as other commands do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

// Let pending writes and sockets finish on their own: exitCode, not exit().
process.exitCode = await main(process.argv.slice(2), processIo);
