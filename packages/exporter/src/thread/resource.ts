import type { Attributes } from '@opentelemetry/api';

/** The version `telemetry.sdk.version` names: that of `@opentelemetry/core` the package is built and tested with (a test holds it). */
export const OTEL_SDK_VERSION = '2.12.0';

/** Keys and values of OTEL_RESOURCE_ATTRIBUTES longer than this discard the whole variable, as the SDK's detector does. */
const MAX_LENGTH = 255;

/**
 * The attributes of `target_info` when the application passes none: what
 * `defaultResource().merge(detectResources({ detectors: [envDetector] }))` of
 * `@opentelemetry/resources` 2.x gives, in its order (a test holds the two
 * side by side): `OTEL_RESOURCE_ATTRIBUTES` (percent-decoded; one bad entry
 * discards the whole variable), `OTEL_SERVICE_NAME` over its `service.name`,
 * then the SDK's defaults for what is left.
 */
export function processResourceAttributes(env: NodeJS.ProcessEnv = process.env): Attributes {
  const detected: Attributes = {};
  const raw = fromEnv(env, 'OTEL_RESOURCE_ATTRIBUTES');
  if (raw) {
    try {
      Object.assign(detected, parseResourceAttributes(raw));
    } catch {
      // The SDK discards the whole variable on any error, and says so only at debug level.
    }
  }
  const serviceName = fromEnv(env, 'OTEL_SERVICE_NAME');
  if (serviceName) detected['service.name'] = serviceName;
  const defaults: Attributes = {
    'service.name': process.argv0 ? `unknown_service:${process.argv0}` : 'unknown_service',
    'telemetry.sdk.language': 'nodejs',
    'telemetry.sdk.name': 'opentelemetry',
    'telemetry.sdk.version': OTEL_SDK_VERSION,
  };
  const attributes: Attributes = {};
  for (const [key, value] of [...Object.entries(detected), ...Object.entries(defaults)]) {
    if (value != null) attributes[key] ??= value;
  }
  return attributes;
}

function fromEnv(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  return raw == null || raw.trim() === '' ? undefined : raw;
}

function parseResourceAttributes(raw: string): Attributes {
  const attributes: Attributes = {};
  for (const entry of raw.split(',').filter((part) => part.trim() !== '')) {
    const pair = entry.split('=');
    if (pair.length !== 2) throw new Error(`not key=value: ${entry}`);
    const key = pair[0]!.trim();
    if (key.length === 0) throw new Error(`empty key: ${entry}`);
    const decodedKey = decodeURIComponent(key);
    const decodedValue = decodeURIComponent(pair[1]!.trim());
    if (decodedKey.length > MAX_LENGTH || decodedValue.length > MAX_LENGTH) throw new Error(`too long: ${entry}`);
    attributes[decodedKey] = decodedValue;
  }
  return attributes;
}
