import { execFileSync } from 'node:child_process';

const PNPM = 'pnpm@12.4.2';
let cached;

/**
 * The path of the pnpm binary the repository uses. Resolved once through npx:
 * each `npx -y pnpm@…` call asks the registry again, which costs seconds per call.
 */
export function pnpmBinary() {
  cached ??= execFileSync('npx', ['-y', '-p', PNPM, '-c', 'command -v pnpm'], { encoding: 'utf8' }).trim();
  if (!cached) throw new Error(`npx -p ${PNPM} found no pnpm binary`);
  return cached;
}
