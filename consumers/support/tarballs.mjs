import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pnpmBinary } from './pnpm.mjs';

export const repoRoot = new URL('../../', import.meta.url).pathname;

/** The packages that are published (not `private`), by folder under packages/. */
export const PUBLISHED = Object.fromEntries(
  readdirSync(join(repoRoot, 'packages'))
    .map((folder) => [folder, JSON.parse(readFileSync(join(repoRoot, 'packages', folder, 'package.json'), 'utf8'))])
    .filter(([, manifest]) => manifest.private !== true)
    .map(([folder, manifest]) => [folder, manifest.name]),
);

/**
 * Packs every published package with `pnpm pack` (which turns `workspace:*`
 * into real versions), from the dist/ a build left. Returns the tarball paths.
 * @returns {Record<string, string>} tarball path by folder
 */
export function packPublished() {
  const destination = mkdtempSync(join(tmpdir(), 'worker-health-tarballs-'));
  // Each test file packs its own; they are not needed past its process.
  process.once('exit', () => rmSync(destination, { recursive: true, force: true }));
  const tarballs = {};
  for (const [folder, name] of Object.entries(PUBLISHED)) {
    execFileSync(pnpmBinary(), ['pack', '--pack-destination', destination], { cwd: join(repoRoot, 'packages', folder), stdio: 'ignore' });
    // npm's tarball naming: "@scope/name" packs to "scope-name-<version>.tgz".
    const file = readdirSync(destination).find((entry) => entry.startsWith(`${name.replace('@', '').replace('/', '-')}-`));
    if (!file) throw new Error(`pnpm pack in packages/${folder} left no tarball in ${destination}`);
    tarballs[folder] = join(destination, file);
  }
  return tarballs;
}

/** The files in a tarball, without the leading `package/`. */
export function tarballFiles(tarball) {
  return execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((path) => path.replace(/^package\//, ''));
}

/** One file of a tarball, as text. */
export function tarballFile(tarball, path) {
  return execFileSync('tar', ['xzf', tarball, '-O', `package/${path}`], { encoding: 'utf8' });
}
