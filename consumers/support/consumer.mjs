import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pnpmBinary } from './pnpm.mjs';

const consumers = new URL('../', import.meta.url).pathname;

/**
 * A new project outside the repository (so nothing resolves into the
 * workspace) that depends on the packed exporter and on one OpenTelemetry line
 * (`otel`: package name to version range), with the files of one app folder
 * of consumers/ (`app/` unless told). `commonjs` leaves out `"type": "module"`;
 * `devDependencies` (package name to version) are added as such. `deniedBuilds` names dependencies whose
 * install scripts are declined as a user would (npm's `allowScripts`, pnpm's
 * `allowBuilds`): npm skips an undeclared one with a warning, pnpm fails.
 * `@worker-health/core` is what the exporter's packed manifest names
 * (`0.1.0`); an override points it at the packed core, as a registry would serve it.
 */
export function createConsumer({ otel, tarballs, app = 'app', deniedBuilds = [], commonjs = false, devDependencies = {} }) {
  const dir = mkdtempSync(join(tmpdir(), 'worker-health-consumer-'));
  const core = `file:${tarballs.core}`;
  const manifest = {
    name: 'worker-health-consumer',
    private: true,
    // A CommonJS project, as most are: no "type" field at all.
    ...(!commonjs && { type: 'module' }),
    dependencies: { '@worker-health/exporter': `file:${tarballs.exporter}`, ...otel },
    ...(Object.keys(devDependencies).length > 0 && { devDependencies }),
    overrides: { '@worker-health/core': core },
    ...(deniedBuilds.length > 0 && { allowScripts: Object.fromEntries(deniedBuilds.map((name) => [name, false])) }),
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  // pnpm 10+ reads overrides from pnpm-workspace.yaml only.
  const allowBuilds = deniedBuilds.length > 0 ? `allowBuilds:\n${deniedBuilds.map((name) => `  '${name}': false\n`).join('')}` : '';
  writeFileSync(join(dir, 'pnpm-workspace.yaml'), `overrides:\n  '@worker-health/core': '${core}'\n${allowBuilds}`);
  for (const file of readdirSync(join(consumers, app))) copyFileSync(join(consumers, app, file), join(dir, file));
  return dir;
}

/**
 * Installs the consumer's dependencies with `npm install` or `pnpm install`
 * and no flags that change resolution, with `node` on PATH the given binary
 * (npm runs on it; both check `engines` against it).
 */
export function install(dir, packageManager, node) {
  const env = { ...process.env, PATH: `${dirname(node)}:${process.env.PATH}`, npm_config_update_notifier: 'false' };
  delete env.npm_config_user_agent;
  const [command, args] = packageManager === 'npm' ? ['npm', ['install', '--no-audit', '--no-fund']] : [pnpmBinary(), ['install']];
  const result = spawnSync(command, args, { cwd: dir, env, encoding: 'utf8', timeout: 180_000 });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}` };
}

/** Lines of installer output that report a problem: errors, warnings, peer and engine complaints. */
export function complaints(output) {
  return output.split('\n').filter((line) => /\b(warn|warning|error|ERESOLVE|EBADENGINE|unmet|peer dep|unsupported engine)\b/i.test(line));
}

/** Names of every package installed under dir/node_modules, by npm (nested folders) or pnpm (.pnpm store). */
export function installedPackages(dir) {
  const names = new Set();
  const visit = (nodeModules) => {
    if (!existsSync(nodeModules)) return;
    for (const entry of readdirSync(nodeModules)) {
      const path = join(nodeModules, entry);
      if (entry === '.pnpm') {
        for (const stored of readdirSync(path)) visit(join(path, stored, 'node_modules'));
      } else if (entry.startsWith('@')) {
        for (const scoped of readdirSync(path)) addPackage(join(path, scoped));
      } else if (!entry.startsWith('.')) {
        addPackage(path);
      }
    }
  };
  const addPackage = (path) => {
    if (lstatSync(path).isSymbolicLink() || !existsSync(join(path, 'package.json'))) return;
    names.add(JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')).name);
    visit(join(path, 'node_modules'));
  };
  visit(join(dir, 'node_modules'));
  return names;
}

/** The version of a package the consumer resolves from its root. */
export function installedVersion(dir, name) {
  return JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')).version;
}
