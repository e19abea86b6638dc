import { SaferError } from '../errors.js';

/** A results file that cannot be read or does not have the expected shape; the message names the file and field. */
export class ReportInputError extends SaferError {}
