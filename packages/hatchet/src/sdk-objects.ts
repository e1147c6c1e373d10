import { createRequire } from 'node:module';
import { HatchetHookError } from './errors.js';

/** The Hatchet client as `watchHatchetWorker` sees it: `HatchetClient.init()` of `@hatchet-dev/typescript-sdk`. */
export interface HatchetClientLike {
  readonly dispatcher: object;
}

/** The worker as `watchHatchetWorker` sees it: what `hatchet.worker()` resolves to. */
export interface HatchetWorkerLike {
  start(): Promise<unknown>;
  stop(): Promise<unknown>;
}

type Method = (...args: unknown[]) => unknown;

/** An object whose named methods can be replaced on the instance and put back. */
export interface Hooked {
  restore(): void;
}

/** The objects inside the SDK that the adapter hooks, found and checked. */
export interface HookPoints {
  sdkVersion: string;
  /** The dispatcher's nice-grpc client (`hatchet.dispatcher.client`): `listenV2`, `listen`. */
  grpcClient: Record<string, unknown>;
  /** `hatchet.dispatcher`: `getActionListener`, `sendStepActionEvent`. */
  dispatcher: Record<string, unknown>;
  /** `worker._internal`: `exitGracefully`, `healthServer`, `healthPort`, `listener`. */
  internal: Record<string, unknown>;
}

/** The SDK version: from the dispatcher's runtime info (what it sends the engine), else the installed package. */
export function sdkVersionOf(dispatcher: unknown): string {
  try {
    const info = (dispatcher as { getRuntimeInfo?: () => { sdkVersion?: unknown } }).getRuntimeInfo?.();
    if (typeof info?.sdkVersion === 'string') return info.sdkVersion;
  } catch {
    // fall through to the installed package
  }
  try {
    const pkg = createRequire(import.meta.url)('@hatchet-dev/typescript-sdk/package.json') as { version?: unknown };
    if (typeof pkg.version === 'string') return pkg.version;
  } catch {
    // not resolvable from here
  }
  return 'unknown';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null;
}

/** Finds the hook points on the instances, or throws {@link HatchetHookError} naming the first one missing. */
export function findHookPoints(hatchet: unknown, worker: unknown): HookPoints {
  const dispatcher = isObject(hatchet) ? hatchet.dispatcher : undefined;
  const sdkVersion = sdkVersionOf(dispatcher);
  const need = (value: unknown, path: string, expected: string, kind: 'object' | 'function') => {
    const ok = kind === 'function' ? typeof value === 'function' : isObject(value);
    if (!ok) throw new HatchetHookError(sdkVersion, path, expected);
  };
  need(dispatcher, 'hatchet.dispatcher', 'the DispatcherClient', 'object');
  const d = dispatcher as Record<string, unknown>;
  need(d.getActionListener, 'hatchet.dispatcher.getActionListener', 'a method that registers the worker', 'function');
  need(d.sendStepActionEvent, 'hatchet.dispatcher.sendStepActionEvent', 'a method that reports STARTED/COMPLETED/FAILED', 'function');
  need(d.client, 'hatchet.dispatcher.client', 'the nice-grpc Dispatcher client', 'object');
  const grpcClient = d.client as Record<string, unknown>;
  need(grpcClient.listenV2, 'hatchet.dispatcher.client.listenV2', 'the ListenV2 streaming method', 'function');
  const internal = isObject(worker) ? worker._internal : undefined;
  need(internal, 'worker._internal', 'the InternalWorker of a worker from hatchet.worker()', 'object');
  const i = internal as Record<string, unknown>;
  need(i.exitGracefully, 'worker._internal.exitGracefully', 'the method behind stop(), SIGTERM/SIGINT and handleKill', 'function');
  return { sdkVersion, grpcClient, dispatcher: d, internal: i };
}

/**
 * Replaces `object[name]` with `wrap(original)` as an own property of that
 * instance (never its prototype). `restore` puts the original back if the
 * replacement is still there.
 */
export function hookMethod(object: Record<string, unknown>, name: string, wrap: (original: Method) => Method): Hooked {
  const original = object[name] as Method;
  const hadOwn = Object.hasOwn(object, name);
  const replacement = wrap(original);
  object[name] = replacement;
  return {
    restore() {
      if (object[name] !== replacement) return;
      if (hadOwn) object[name] = original;
      else delete object[name];
    },
  };
}
