/**
 * What the running command says when it is interrupted (Ctrl-C, SIGTERM). The executable
 * (main.ts) prints it and exits 130 or 143; result files are written one whole row or one atomic
 * rename at a time, so they are valid at that moment, and locks are released on exit.
 */
let describe: (() => string) | undefined;

/** Registers the text to print on an interrupt; the returned function unregisters it. */
export function onInterrupt(text: () => string): () => void {
  describe = text;
  return () => {
    if (describe === text) describe = undefined;
  };
}

/** The registered text, if any. */
export function interruptNote(): string | undefined {
  return describe?.();
}

type SignalHandler = (signal: 'SIGINT' | 'SIGTERM') => void;
let taken: SignalHandler | undefined;

/**
 * For a command that stops by itself on a signal (safer worker finishes its jobs in hand): main.ts then
 * calls `handler` instead of exiting. The returned function gives the signals back.
 */
export function takeInterrupts(handler: SignalHandler): () => void {
  taken = handler;
  return () => {
    if (taken === handler) taken = undefined;
  };
}

/** The command's own signal handler, if it took the signals. */
export function interruptHandler(): SignalHandler | undefined {
  return taken;
}
