/** `safer <command> [options]`: dispatch, help, config and error mapping; nothing else. */
import { SaferError, UsageError } from '../errors.js';
import { VERSION } from '../version.js';
import { progressFor, type Command, type CommandIO } from './command.js';
import { configOptions, CONFIG_FILE } from './config.js';
import { formatOptions, parseArgs, resolveOptions } from './options.js';

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
  worker: async () => (await import('./commands/worker.js')).worker,
  score: async () => (await import('./commands/score.js')).score,
  bench: async () => (await import('./commands/bench.js')).bench,
  dataset: async () => (await import('./commands/dataset.js')).dataset,
  budget: async () => (await import('./commands/budget.js')).budget,
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
    `Default options per command can be set in ${CONFIG_FILE} (or --config FILE): {"sweep": {"seeds": 10}}.`,
    'Exit codes: 0 success, 1 failure (bad input, a failed check), 2 usage error.',
  ].join('\n');
}

function commandHelp(c: Command): string {
  return [
    `usage: safer ${c.name} ${c.usage}`, '', c.summary + '.', ...(c.details ? ['', c.details] : []),
    '', 'options:', formatOptions(c.options), `  --config <file>  default options from a JSON file (default: ./${CONFIG_FILE} if present)`, '  --help  show this help',
    '', c.examples.length > 1 ? 'examples:' : 'example:', ...c.examples.map((e) => `  ${e}`),
  ].join('\n');
}

/** `--config FILE` (or `--config=FILE`) taken out of argv. */
function takeConfig(argv: readonly string[]): { rest: string[]; config: string | undefined } {
  const rest: string[] = [];
  let config: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (arg === '--config') {
      config = argv[++i];
      if (config === undefined) throw new UsageError('--config needs a file');
    } else if (arg.startsWith('--config=')) config = arg.slice('--config='.length);
    else rest.push(arg);
  }
  return { rest, config };
}

export async function main(argv: readonly string[], io: CommandIO): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(await mainHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    io.out(VERSION);
    return 0;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    io.err(`error: unknown command "${name}"; commands: ${COMMAND_NAMES.join(', ')} (safer --help)`);
    return 2;
  }
  const command = await load();
  if (args.includes('--help') || args.includes('-h')) {
    io.out(commandHelp(command));
    return 0;
  }
  try {
    const { rest, config } = takeConfig(args);
    const { positional, given } = parseArgs(rest, command.options, command.name);
    const options = resolveOptions(command.options, [{ values: given, where: (n) => `--${n}` }, configOptions(config, command, COMMAND_NAMES)]);
    return (await command.run({ options, positional, argv: args, io, progress: (label) => progressFor(options, io, label) })) ?? 0;
  } catch (e) {
    if (e instanceof SaferError) {
      io.err(`error: ${e.message}`);
      return e instanceof UsageError ? 2 : 1;
    }
    throw e;
  }
}
