import { HealthcheckConfigError } from './errors.js';

/** The numbers a setting accepts. Bounds are inclusive unless `above` is used. */
export interface NumberRange {
  /** Smallest accepted value. */
  min?: number;
  /** Accepted values are greater than this. */
  above?: number;
  /** Largest accepted value. */
  max?: number;
  /** Only whole numbers. */
  integer?: boolean;
}

/**
 * Checks a number given in code: finite, a whole number if asked, within the
 * range. Returns it; throws {@link HealthcheckConfigError} naming `setting`,
 * the value and `accepted` (what the setting accepts, in words) otherwise.
 */
export function checkNumber(setting: string, value: unknown, accepted: string, range: NumberRange = {}): number {
  if (
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!range.integer || Number.isInteger(value)) &&
    (range.min === undefined || value >= range.min) &&
    (range.above === undefined || value > range.above) &&
    (range.max === undefined || value <= range.max)
  ) {
    return value;
  }
  throw new HealthcheckConfigError(setting, value, accepted);
}
