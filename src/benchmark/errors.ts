import { SaferError } from '../errors.js';

/** A ground-truth or score file that cannot be read or does not fit the others; the message names the file (and line). */
export class BenchInputError extends SaferError {}
