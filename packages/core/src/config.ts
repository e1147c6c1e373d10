import { isIP } from 'node:net';
import { checkNumber } from './check-number.js';
import { HealthcheckConfigError } from './errors.js';

/** Environment variables read by {@link readHealthcheckConfig}: the Hatchet Python SDK's names. */
export const HEALTHCHECK_ENV = {
  enabled: 'HATCHET_CLIENT_WORKER_HEALTHCHECK_ENABLED',
  port: 'HATCHET_CLIENT_WORKER_HEALTHCHECK_PORT',
  bindAddress: 'HATCHET_CLIENT_WORKER_HEALTHCHECK_BIND_ADDRESS',
  eventLoopBlockThresholdSeconds: 'HATCHET_CLIENT_WORKER_HEALTHCHECK_EVENT_LOOP_BLOCK_THRESHOLD_SECONDS',
} as const;

/** Defaults used when neither an option nor an environment variable sets a value. */
export const HEALTHCHECK_DEFAULTS = {
  enabled: false,
  port: 8001,
  bindAddress: '0.0.0.0',
  eventLoopBlockThresholdSeconds: 5,
} as const;

/** The healthcheck settings, as read from the environment. */
export interface HealthcheckConfig {
  /** Whether the worker should serve its healthcheck. Default `false`; env `HATCHET_CLIENT_WORKER_HEALTHCHECK_ENABLED`. */
  enabled: boolean;
  /** TCP port of `/health` and `/metrics`. Default `8001`; env `HATCHET_CLIENT_WORKER_HEALTHCHECK_PORT`. */
  port: number;
  /** Address the server binds. Default `0.0.0.0`; env `HATCHET_CLIENT_WORKER_HEALTHCHECK_BIND_ADDRESS`. */
  bindAddress: string;
  /**
   * Event-loop lag, in seconds, above which the worker is reported unhealthy.
   * Default `5`; env `HATCHET_CLIENT_WORKER_HEALTHCHECK_EVENT_LOOP_BLOCK_THRESHOLD_SECONDS`.
   */
  eventLoopBlockThresholdSeconds: number;
}

const ACCEPTED = {
  boolean: 'true/false, 1/0, yes/no or on/off (any case)',
  envPort: 'an integer from 1 to 65535',
  optionPort: 'an integer from 0 to 65535 (0 picks a free port)',
  bindAddress: 'an IPv4 or IPv6 address (without brackets) or a host name',
  threshold: 'a positive number of seconds, optionally suffixed with "s" (e.g. 5, 2.5, 2.5s)',
} as const;

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);
const SECONDS = /^(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?s?$/i;
const HOST_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/**
 * Reads the four `HATCHET_CLIENT_WORKER_HEALTHCHECK_*` variables. Unset
 * variables take their defaults; a variable that is set must hold a valid
 * value (an empty string is not one), otherwise this throws
 * {@link HealthcheckConfigError} naming the variable, the value and what is accepted.
 */
export function readHealthcheckConfig(env: NodeJS.ProcessEnv = process.env): HealthcheckConfig {
  return {
    enabled: read(env, HEALTHCHECK_ENV.enabled, parseEnabled, HEALTHCHECK_DEFAULTS.enabled),
    port: read(env, HEALTHCHECK_ENV.port, parseEnvPort, HEALTHCHECK_DEFAULTS.port),
    bindAddress: read(env, HEALTHCHECK_ENV.bindAddress, validateBindAddress, HEALTHCHECK_DEFAULTS.bindAddress),
    eventLoopBlockThresholdSeconds: read(
      env,
      HEALTHCHECK_ENV.eventLoopBlockThresholdSeconds,
      parseThreshold,
      HEALTHCHECK_DEFAULTS.eventLoopBlockThresholdSeconds,
    ),
  };
}

function read<T>(env: NodeJS.ProcessEnv, name: string, parse: (raw: string, name: string) => T, fallback: T): T {
  const raw = env[name];
  return raw === undefined ? fallback : parse(raw, name);
}

function parseEnabled(raw: string, name: string): boolean {
  const word = raw.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw new HealthcheckConfigError(name, raw, ACCEPTED.boolean);
}

function parseEnvPort(raw: string, name: string): number {
  const text = raw.trim();
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (port >= 1 && port <= 65535) return port;
  throw new HealthcheckConfigError(name, raw, ACCEPTED.envPort);
}

function parseThreshold(raw: string, name: string): number {
  const text = raw.trim();
  if (SECONDS.test(text)) {
    const seconds = Number(text.replace(/s$/i, ''));
    if (Number.isFinite(seconds) && seconds > 0) return seconds;
  }
  throw new HealthcheckConfigError(name, raw, ACCEPTED.threshold);
}

/**
 * Checks a port given in code: an integer from 0 to 65535, where 0 asks the
 * operating system for a free port. Returns the port.
 */
export function validatePortOption(port: unknown, setting = 'port'): number {
  return checkNumber(setting, port, ACCEPTED.optionPort, { integer: true, min: 0, max: 65535 });
}

/** Checks an event-loop block threshold given in code. Returns it. */
export function validateThresholdOption(seconds: unknown, setting = 'eventLoopBlockThresholdSeconds'): number {
  return checkNumber(setting, seconds, 'a positive, finite number of seconds', { above: 0 });
}

/** Timing of a health state, every field resolved. */
export interface HealthTiming {
  eventLoopBlockThresholdSeconds: number;
  heartbeatIntervalMs: number;
  startupGracePeriodSeconds: number;
}

/** Defaults of the timing settings that have no environment variable. */
export const HEALTH_TIMING_DEFAULTS = { heartbeatIntervalMs: 100, startupGracePeriodSeconds: 10 } as const;

/**
 * Checks the timing of a health state and fills in the defaults. The
 * threshold must be at least one heartbeat interval: the lag is read against
 * the last heartbeat, so a shorter threshold would call every ordinary timer
 * delay a stall, and a stall would be seen only after the interval anyway.
 * `thresholdSetting` names where the threshold came from, for the error.
 */
export function resolveHealthTiming(options: Partial<HealthTiming>, thresholdSetting = 'eventLoopBlockThresholdSeconds'): HealthTiming {
  const threshold = validateThresholdOption(
    options.eventLoopBlockThresholdSeconds ?? HEALTHCHECK_DEFAULTS.eventLoopBlockThresholdSeconds,
    thresholdSetting,
  );
  const intervalMs = checkNumber(
    'heartbeatIntervalMs',
    options.heartbeatIntervalMs ?? HEALTH_TIMING_DEFAULTS.heartbeatIntervalMs,
    'a number of milliseconds from 1 to 60000',
    { min: 1, max: 60_000 },
  );
  if (threshold * 1000 < intervalMs) {
    throw new HealthcheckConfigError(
      thresholdSetting,
      threshold,
      `at least one heartbeat interval (${intervalMs / 1000} s with heartbeatIntervalMs=${intervalMs}): ` +
        'a shorter threshold calls ordinary timer delays a stall; raise it or lower heartbeatIntervalMs',
    );
  }
  const grace = checkNumber(
    'startupGracePeriodSeconds',
    options.startupGracePeriodSeconds ?? HEALTH_TIMING_DEFAULTS.startupGracePeriodSeconds,
    'a finite number of seconds, 0 or more',
    { min: 0 },
  );
  return { eventLoopBlockThresholdSeconds: threshold, heartbeatIntervalMs: intervalMs, startupGracePeriodSeconds: grace };
}

/**
 * Checks a bind address: an IPv4/IPv6 literal or a host name (RFC 1123).
 * Returns it with surrounding white space removed.
 */
export function validateBindAddress(address: unknown, setting = 'bindAddress'): string {
  if (typeof address === 'string') {
    const text = address.trim();
    if (isIP(text) !== 0) return text;
    // All-numeric labels can only mean an IPv4 address, and this one is not valid (e.g. 999.1.1.1).
    if (/^[\d.]+$/.test(text)) {
      throw new HealthcheckConfigError(setting, address, `${ACCEPTED.bindAddress}; ${JSON.stringify(text)} is not a valid IPv4 address`);
    }
    const labels = text.replace(/\.$/, '').split('.');
    if (text.length > 0 && text.length <= 253 && labels.every((label) => HOST_LABEL.test(label))) return text;
  }
  throw new HealthcheckConfigError(setting, address, ACCEPTED.bindAddress);
}
