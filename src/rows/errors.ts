import { SaferError } from '../errors.js';

/** A results file that cannot be read or holds a malformed row; the message names the file (and line). */
export class RowsError extends SaferError {}
