// A worker thread inherits the process's `execArgv` and parses `NODE_OPTIONS`
// again, so every preload (`--import`, `--require`, `--loader`) would run a
// second time inside the health thread: a second OpenTelemetry SDK, a second
// healthcheck (and so on without end), or a `process.chdir()` that a thread may
// not call. So the thread takes none of the command line's flags (it needs
// none; V8 flags such as `--max-old-space-size` hold for the whole process
// anyway, and Node rejects them in a worker's `execArgv`), and the other flags
// of `NODE_OPTIONS`, which Node applies to every thread, stay as they are.

/** Flags that load code before the entry point; each takes one value. */
const PRELOAD_FLAGS = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader']);

/** `args` without the preload flags and their values (`--import x`, `--import=x`, `-r x`). */
export function withoutPreloads(args: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (PRELOAD_FLAGS.has(arg)) {
      i++; // its value
      continue;
    }
    const equals = arg.indexOf('=');
    if (equals !== -1 && PRELOAD_FLAGS.has(arg.slice(0, equals))) continue;
    kept.push(arg);
  }
  return kept;
}

/**
 * `NODE_OPTIONS` without its preloads, or `undefined` when nothing is left.
 * Splits as Node does: on white space, with double quotes grouping and `\`
 * escaping inside them.
 */
export function nodeOptionsWithoutPreloads(nodeOptions: string | undefined): string | undefined {
  if (nodeOptions === undefined) return undefined;
  const kept = withoutPreloads(splitNodeOptions(nodeOptions));
  return kept.length === 0 ? undefined : kept.map(quote).join(' ');
}

function splitNodeOptions(text: string): string[] {
  const tokens: string[] = [];
  let token: string | undefined;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') quoted = false;
      else token = `${token ?? ''}${c === '\\' && i + 1 < text.length ? text[++i] : c}`;
    } else if (c === '"') {
      quoted = true;
      token ??= '';
    } else if (/\s/.test(c)) {
      if (token !== undefined) tokens.push(token);
      token = undefined;
    } else {
      token = (token ?? '') + c;
    }
  }
  if (token !== undefined) tokens.push(token);
  return tokens;
}

function quote(token: string): string {
  return /^[^\s"\\]+$/.test(token) ? token : `"${token.replace(/["\\]/g, '\\$&')}"`;
}

/** The `execArgv` and `env` a thread of this process is started with: no flags, and the parent's env less its preloads. */
export function threadExecOptions(env: NodeJS.ProcessEnv = process.env): { execArgv: string[]; env: NodeJS.ProcessEnv } {
  const threadEnv = { ...env };
  const nodeOptions = nodeOptionsWithoutPreloads(env.NODE_OPTIONS);
  if (nodeOptions === undefined) delete threadEnv.NODE_OPTIONS;
  else threadEnv.NODE_OPTIONS = nodeOptions;
  return { execArgv: [], env: threadEnv };
}
