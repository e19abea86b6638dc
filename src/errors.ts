/**
 * Named error classes. Every error that bad input can cause is one of these: the CLI prints
 * `error: <message>` for them without a stack trace and exits 1 (2 for a UsageError). Anything
 * else is a bug and is printed with its stack.
 */

/**
 * `text` with control characters and line separators written as escapes (a newline as "\\n"):
 * messages quote names from untrusted files, and an error message stays one line.
 */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => {
    const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    return named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** Base class of the errors that describe bad input or an unsupported model. The message is one line. */
export class SaferError extends Error {
  constructor(message: string) {
    super(oneLine(message));
    this.name = new.target.name;
  }
}

/** The model file is missing, unreadable, not ONNX, or structurally broken. */
export class ModelLoadError extends SaferError {}

/** The model is valid ONNX but not something safer can work with (e.g. no weight layers). */
export class ModelError extends SaferError {}

/** A command-line option or library option is wrong; the message says how to fix it. */
export class OptionError extends SaferError {}

/** The command line itself is wrong (an unknown option, a missing or malformed value): exit code 2. */
export class UsageError extends OptionError {}

/** onnxruntime refused or failed to run a model; the message carries its reason. */
export class RuntimeError extends SaferError {}

/** An operator safer has no implementation for (at this opset). */
export class UnsupportedOpError extends SaferError {
  constructor(
    readonly opType: string,
    readonly opset: number,
    readonly nodeName: string,
    supported: readonly string[],
    what = 'gradient rule',
  ) {
    const recurrent = opType === 'LSTM' || opType === 'GRU' || opType === 'RNN';
    super(
      `node "${nodeName}" (${opType}, opset ${opset}) has no ${what}` +
        (recurrent
          ? '; safer does not differentiate recurrent ops, so gradient criteria cannot run on this model (the sweep and data-free criteria can)'
          : `; safer supports ${supported.length} ops (listed by "safer grad --help")`),
    );
  }
}

/** A gradient was requested through an op that must not be differentiated. */
export class NotDifferentiableError extends SaferError {}

/** A gradient rule produced a tensor whose shape or dtype differs from its input. */
export class GradientShapeError extends SaferError {}

/** Assertion with a lazily built message (tfjs style). Throws a plain Error: a failed assert is a bug. */
export function assert(condition: unknown, message: () => string): asserts condition {
  if (!condition) throw new Error(`internal error: ${message()}`);
}

/** Exhaustiveness check for discriminated unions. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`internal error: unexpected ${what} ${JSON.stringify(value)}`);
}
