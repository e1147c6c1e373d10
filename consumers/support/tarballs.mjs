import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pnpmBinary } from './pnpm.mjs';

export const repoRoot = new URL('../../', import.meta.url).pathname;

/** The packages that are published, by folder under packages/. */
export const PUBLISHED = { core: '@worker-health/core', exporter: '@worker-health/exporter' };

/**
 * Packs every published package with `pnpm pack` (which turns `workspace:*`
 * into real versions), from the dist/ a build left. Returns the tarball paths.
 * @returns {Record<keyof typeof PUBLISHED, string>}
 */
export function packPublished() {
  const destination = mkdtempSync(join(tmpdir(), 'worker-health-tarballs-'));
  const tarballs = {};
  for (const folder of Object.keys(PUBLISHED)) {
    execFileSync(pnpmBinary(), ['pack', '--pack-destination', destination], { cwd: join(repoRoot, 'packages', folder), stdio: 'ignore' });
    const name = readdirSync(destination).find((file) => file.startsWith(`worker-health-${folder}-`));
    if (!name) throw new Error(`pnpm pack in packages/${folder} left no tarball in ${destination}`);
    tarballs[folder] = join(destination, name);
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
