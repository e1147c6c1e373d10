import { defaultResource, detectResources, envDetector, type Resource } from '@opentelemetry/resources';

/** The resource of `target_info` when the application passes none: the SDK's defaults and `OTEL_SERVICE_NAME` / `OTEL_RESOURCE_ATTRIBUTES`. */
export function processResource(): Resource {
  return defaultResource().merge(detectResources({ detectors: [envDetector] }));
}
