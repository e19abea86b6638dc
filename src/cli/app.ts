/** `safer <command> [options]`: dispatch, help and error mapping; nothing else. */
import { SaferError } from '../errors.js';
import { assess } from './commands/assess.js';
import { bench } from './commands/bench.js';
import { dataset } from './commands/dataset.js';
import { evalCommand } from './commands/eval.js';
import { grad } from './commands/grad.js';
import { inspect } from './commands/inspect.js';
import { score } from './commands/score.js';
import { sweep } from './commands/sweep.js';
import { VERSION } from './version.js';
import type { Command, CommandIO } from './command.js';
import { formatOptions, Options, parseArgs } from './options.js';

/** Every command, in the order `safer --help` lists them. */
export const COMMANDS: readonly Command[] = [assess, inspect, evalCommand, grad, sweep, score, bench, dataset];


function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'safer — which layers of a neural network can be compressed, and which must be protected?',
    '',
    'usage: safer <command> [options]      (safer <command> --help for its options)',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Without a model argument, commands use the bundled default model and evaluation subset.',
  ].join('\n');
}

function commandHelp(c: Command): string {
  return [`usage: safer ${c.name} ${c.usage}`, '', c.summary + '.', ...(c.details ? ['', c.details] : []), '', 'options:', formatOptions(c.options), '  --help  show this help'].join('\n');
}

export async function main(argv: readonly string[], io: CommandIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(mainHelp());
    return name === undefined ? 1 : 0;
  }
  if (name === '--version' || name === '-v') {
    io.out(VERSION);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`error: unknown command "${name}"; commands: ${COMMANDS.map((c) => c.name).join(', ')} (safer --help)`);
    return 1;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(commandHelp(command));
    return 0;
  }
  try {
    return (await command.run(new Options(parseArgs(rest, command.options, command.name)), io)) ?? 0;
  } catch (e) {
    if (e instanceof SaferError) {
      io.err(`error: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

