/**
 * Thrown for a configuration value that cannot be used: an environment
 * variable, an option passed in code, or a worker name. The message names the
 * setting, quotes the value given and says what is accepted, so it can be
 * fixed without reading the source.
 */
export class HealthcheckConfigError extends Error {
  readonly code = 'ERR_WORKER_HEALTHCHECK_CONFIG';
  /** The environment variable or option that holds the bad value. */
  readonly setting: string;
  /** The value as it was given. */
  readonly value: unknown;
  /** What the setting accepts, in words. */
  readonly accepted: string;

  constructor(setting: string, value: unknown, accepted: string) {
    super(`${setting}=${describe(value)} is not valid: expected ${accepted}`);
    this.name = 'HealthcheckConfigError';
    this.setting = setting;
    this.value = value;
    this.accepted = accepted;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  return `(${typeof value})`;
}
