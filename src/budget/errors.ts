import { SaferError } from '../errors.js';

/** A budget input file or table is malformed: a plan file, or cost curves missing a layer or a level. */
export class BudgetInputError extends SaferError {}
