import { SaferError } from '../errors.js';

/** Redis cannot be reached or used as a sweep queue, or a queued job cannot be run; the message never holds a password. */
export class QueueError extends SaferError {}
