import { main, processIo } from './main.js';

// Let pending writes and sockets finish on their own: exitCode, not exit().
process.exitCode = await main(process.argv.slice(2), processIo);
