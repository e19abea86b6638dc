import { SaferError } from '../errors.js';

/**
 * Bad evaluation data or a bad data option. The message is one line that names the file,
 * says what is wrong and what to do about it, so the CLI can print it as is.
 */
export class DataError extends SaferError {}

/** Maps a Node file-system error on `file` to a DataError; anything else is rethrown. */
export function fileError(file: string, error: unknown): DataError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return new DataError(`${file}: no such file or directory; check the path`);
    case 'EACCES':
    case 'EPERM':
      return new DataError(`${file}: permission denied; check the file's permissions`);
    case 'EISDIR':
      return new DataError(`${file}: is a directory, expected a file`);
    default:
      if (error instanceof DataError) return error;
      throw error;
  }
}
