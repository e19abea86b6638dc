/** `safer <command> [options]`: dispatch, help and error mapping; nothing else. */
import { SaferError } from '../errors.js';
import { VERSION } from './version.js';
import type { Command, CommandIO } from './command.js';
import { formatOptions, Options, parseArgs } from './options.js';

/**
 * Every command, in the order `safer --help` lists them. Each is loaded only when it is run:
 * importing all of them (the autodiff, criteria and data-set code) costs about 0.2 s of start-up.
 */
export const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  assess: async () => (await import('./commands/assess.js')).assess,
  inspect: async () => (await import('./commands/inspect.js')).inspect,
  eval: async () => (await import('./commands/eval.js')).evalCommand,
  grad: async () => (await import('./commands/grad.js')).grad,
  sweep: async () => (await import('./commands/sweep.js')).sweep,
  score: async () => (await import('./commands/score.js')).score,
  bench: async () => (await import('./commands/bench.js')).bench,
  dataset: async () => (await import('./commands/dataset.js')).dataset,
  report: async () => (await import('./commands/report.js')).report,
};

const COMMAND_NAMES = Object.keys(COMMANDS);

async function mainHelp(): Promise<string> {
  const commands = await Promise.all(Object.values(COMMANDS).map((load) => load()));
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'safer — which layers of a neural network can be compressed, and which must be protected?',
    '',
    'usage: safer <command> [options]      (safer <command> --help for its options)',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
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
    io.out(await mainHelp());
    return name === undefined ? 1 : 0;
  }
  if (name === '--version' || name === '-v') {
    io.out(VERSION);
    return 0;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    io.err(`error: unknown command "${name}"; commands: ${COMMAND_NAMES.join(', ')} (safer --help)`);
    return 1;
  }
  const command = await load();
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

