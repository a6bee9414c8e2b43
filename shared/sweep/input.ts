/**
 * The sweep's invocation input: the payload the EventBridge Scheduler schedule sends (its
 * target `Input`), e.g. `{"minIntervalMinutes": 360}`. Everything is optional; an EventBridge
 * scheduled-event envelope or an empty object means "the defaults".
 */
import { InvalidSweepInputError } from './errors';

export interface SweepInput {
  /** A new run starts only this long after the last one completed. */
  readonly minIntervalMinutes: number;
  /** Start a new run now, however recent the last one (a manual invocation). */
  readonly force: boolean;
}

/** The default time between two complete sweeps: a full run at most every hour. */
export const DEFAULT_MIN_INTERVAL_MINUTES = 60;

/**
 * A year: a longer interval means "never" (removing the schedule says that), and far larger
 * numbers overflow to Infinity once in milliseconds.
 */
export const MAX_MIN_INTERVAL_MINUTES = 525_600;

/**
 * Reads the input; unknown fields are ignored (the schedule may send an envelope), wrong types
 * of the known ones are refused.
 *
 * @example
 * parseSweepInput({ minIntervalMinutes: 360 }); // { minIntervalMinutes: 360, force: false }
 */
export function parseSweepInput(event: unknown): SweepInput {
  if (event === undefined || event === null)
    return { minIntervalMinutes: DEFAULT_MIN_INTERVAL_MINUTES, force: false };
  if (typeof event !== 'object' || Array.isArray(event)) {
    throw new InvalidSweepInputError(
      'the input',
      `must be a JSON object, got ${Array.isArray(event) ? 'an array' : typeof event}`,
    );
  }
  const { minIntervalMinutes, force } = event as Record<string, unknown>;
  if (
    minIntervalMinutes !== undefined &&
    !(
      typeof minIntervalMinutes === 'number' &&
      Number.isFinite(minIntervalMinutes) &&
      minIntervalMinutes >= 0 &&
      minIntervalMinutes <= MAX_MIN_INTERVAL_MINUTES
    )
  ) {
    throw new InvalidSweepInputError(
      'minIntervalMinutes',
      `must be a number of minutes from 0 to ${MAX_MIN_INTERVAL_MINUTES}, got ${JSON.stringify(minIntervalMinutes)}`,
    );
  }
  if (force !== undefined && typeof force !== 'boolean') {
    throw new InvalidSweepInputError('force', `must be true or false, got ${JSON.stringify(force)}`);
  }
  return { minIntervalMinutes: minIntervalMinutes ?? DEFAULT_MIN_INTERVAL_MINUTES, force: force ?? false };
}
