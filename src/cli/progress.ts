/**
 * A one-line progress display with rate and ETA (stderr). It stays silent for work that finishes
 * within a second; commands show it only on a terminal and never with --json or --quiet (command.ts).
 */
export interface Progress {
  update(done: number, total: number, note?: string): void;
  done(): void;
}

export function createProgress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  const started = performance.now();
  let lastDraw = 0;
  let drawn = false;
  return {
    update(done, total, note) {
      const now = performance.now();
      if (now - started < 1000 || (now - lastDraw < 100 && done < total)) return;
      lastDraw = now;
      drawn = true;
      const elapsed = (now - started) / 1000;
      const fraction = total > 0 ? done / total : 0;
      const eta = fraction > 0 ? elapsed * (1 / fraction - 1) : NaN;
      const text = `${label} ${done}/${total} (${(100 * fraction).toFixed(1)}%) elapsed ${formatDuration(elapsed)}` +
        (Number.isFinite(eta) ? ` ETA ${formatDuration(eta)}` : '') + (note ? ` ${note}` : '');
      stream.write(`\r\x1b[2K${text.slice(0, (stream.columns ?? 120) - 1)}`);
    },
    done() {
      if (drawn) stream.write('\r\x1b[2K');
    },
  };
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
