/** The shape of one CLI command: a thin layer over the library, with its options in one typed table. */
import type { OptionTable, ParsedOptions } from './options.js';
import { createProgress, type Progress } from './progress.js';

export interface CommandIO {
  /** Writes to standard output (results). */
  out(text: string): void;
  /** Writes to standard error (notes and warnings). */
  err(text: string): void;
  /** Whether standard error is a terminal (progress is drawn only then). */
  readonly interactive: boolean;
}

/** What a command's `run` gets: its typed options, its positional arguments, and the io. */
export interface CommandRun<T extends OptionTable> {
  readonly options: ParsedOptions<T>;
  readonly positional: readonly string[];
  /** The arguments after the command's name, as given (for the record of a command line). */
  readonly argv: readonly string[];
  readonly io: CommandIO;
  /** A progress line on a terminal; silent with --json, --quiet or off a terminal. */
  progress(label: string): Progress;
}

export interface Command<T extends OptionTable = OptionTable> {
  readonly name: string;
  readonly summary: string;
  /** Usage line after "safer <name>", e.g. "<model> --data <file>". */
  readonly usage: string;
  /** Longer help text shown under the usage. */
  readonly details?: string;
  /** Command lines that show the command at work, shown by --help. */
  readonly examples: readonly string[];
  readonly options: T;
  /** Runs the command; a returned number is the exit code (default 0). */
  run(run: CommandRun<T>): Promise<void | number>;
}

/** A command, checked against its own option table (the registry holds them all as `Command`). */
export function defineCommand<const T extends OptionTable>(command: Command<T>): Command {
  return command as unknown as Command;
}

/** The progress line of a run: only on a terminal, never with --json or --quiet. */
export function progressFor(options: Readonly<Record<string, unknown>>, io: CommandIO, label: string): Progress {
  const silent = options['json'] === true || options['quiet'] === true || !io.interactive;
  return silent ? { update() {}, done() {} } : createProgress(label);
}
