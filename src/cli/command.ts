/** The shape of one CLI command: a thin layer over the library. */
import type { OptionTable, Options } from './options.js';

export interface CommandIO {
  /** Writes to standard output (results). */
  out(text: string): void;
  /** Writes to standard error (notes and warnings). */
  err(text: string): void;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Usage line after "safer <name>", e.g. "<model> --data <file>". */
  readonly usage: string;
  /** Longer help text shown under the usage. */
  readonly details?: string;
  readonly options: OptionTable;
  /** Runs the command; a returned number is the exit code (default 0). */
  run(options: Options, io: CommandIO): Promise<void | number>;
}
