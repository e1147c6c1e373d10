/**
 * The base of every error the worker-health packages throw or report: `code`
 * says which one it is (always `ERR_WORKER_HEALTH_…`), the message says what
 * to do about it.
 */
export class WorkerHealthError extends Error {
  /** A stable identifier: `ERR_WORKER_HEALTH_` and what failed. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * Thrown for a configuration value that cannot be used: an environment
 * variable, an option passed in code, or a worker name. The message names the
 * setting, quotes the value given and says what is accepted, so it can be
 * fixed without reading the source.
 */
export class HealthcheckConfigError extends WorkerHealthError {
  declare readonly code: 'ERR_WORKER_HEALTH_CONFIG';
  /** The environment variable or option that holds the bad value. */
  readonly setting: string;
  /** The value as it was given. */
  readonly value: unknown;
  /** What the setting accepts, in words. */
  readonly accepted: string;

  constructor(setting: string, value: unknown, accepted: string) {
    super('ERR_WORKER_HEALTH_CONFIG', `${setting}=${describe(value)} is not valid: expected ${accepted}`);
    this.setting = setting;
    this.value = value;
    this.accepted = accepted;
  }
}

/** Longest string quoted whole in a message; a longer one is shortened, with its length. */
const QUOTED_CHARACTERS = 80;

function describe(value: unknown): string {
  if (typeof value === 'string') {
    if (value.length <= QUOTED_CHARACTERS) return JSON.stringify(value);
    return `${JSON.stringify(value.slice(0, QUOTED_CHARACTERS))}… (${value.length} characters)`;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  return `(${typeof value})`;
}
