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
