#!/usr/bin/env node
/** The `safer` executable: runs the CLI on process.argv and sets the exit code. */
import type { CommandIO } from './command.js';
import { main } from './app.js';
import { interruptHandler, interruptNote } from './interrupt.js';

// A reader that closes the pipe early (`safer inspect | head -1`) ends the output, not in an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

// Ctrl-C and SIGTERM: say what was kept (the command registers it) and exit 130 / 143. The handler
// runs between two JavaScript tasks, so no row is half-written; exit handlers release the locks.
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.on(signal, () => {
    const handler = interruptHandler();
    if (handler) return handler(signal);
    const note = interruptNote();
    if (note !== undefined) process.stderr.write(`${note}\n`);
    process.exit(code);
  });
}

const io: CommandIO = {
  out: (text) => process.stdout.write(text + '\n'),
  err: (text) => process.stderr.write(text + '\n'),
  interactive: process.stderr.isTTY === true,
};

main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`safer: internal error (please report it):\n${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
