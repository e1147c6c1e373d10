import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { complaints, install } from '../support/consumer.mjs';
import { nodeBinary } from '../support/node-binary.mjs';
import { pnpmBinary } from '../support/pnpm.mjs';
import { PUBLISHED, repoRoot, tarballFiles } from '../support/tarballs.mjs';

const manifestOf = (root, folder) => JSON.parse(readFileSync(join(root, folder, 'package.json'), 'utf8'));
/** Every workspace package of the repository, by folder (pnpm-workspace.yaml: packages/*, examples/*, bench, consumers). */
const WORKSPACE = [
  'bench',
  'consumers',
  ...['packages', 'examples'].flatMap((parent) => readdirSync(join(repoRoot, parent)).map((name) => `${parent}/${name}`)),
].filter((folder) => existsSync(join(repoRoot, folder, 'package.json')));
const published = Object.keys(PUBLISHED).map((folder) => `packages/${folder}`);

describe('pnpm run pack (the root script the package READMEs name)', () => {
  const destination = join(repoRoot, 'dist/tarballs');
  let dir;

  before(() => {
    // The script calls turbo and pnpm, which look for pnpm on PATH (npx -y pnpm@… puts it there).
    const env = { ...process.env, PATH: `${dirname(pnpmBinary())}:${process.env.PATH}` };
    const packed = spawnSync(pnpmBinary(), ['run', 'pack'], { cwd: repoRoot, env, encoding: 'utf8', timeout: 300_000 });
    assert.equal(packed.status, 0, `pnpm run pack:\n${packed.stdout}${packed.stderr}`);
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('writes one tarball per published package into dist/tarballs, and nothing else', () => {
    const expected = published.map((folder) => {
      const { name, version } = manifestOf(repoRoot, folder);
      return `${name.replace('@', '').replace('/', '-')}-${version}.tgz`;
    });
    assert.deepEqual(readdirSync(destination).sort(), expected.sort());
  });

  it('ships each package with its README.md and CHANGELOG.md', () => {
    for (const file of readdirSync(destination)) {
      const files = tarballFiles(join(destination, file));
      assert.deepEqual(
        ['README.md', 'CHANGELOG.md'].filter((name) => !files.includes(name)),
        [],
        `${file} holds ${files.length} files`,
      );
    }
  });

  it('gives tarballs that npm installs side by side, as the Install sections say, and that load', () => {
    const tarball = (folder) =>
      join(
        destination,
        readdirSync(destination).find((file) => file.startsWith(`worker-health-${folder}-`)),
      );
    dir = mkdtempSync(join(tmpdir(), 'worker-health-install-'));
    writeFileSync(
      join(dir, 'package.json'),
      `${JSON.stringify({ name: 'install-line', private: true, type: 'module', dependencies: { '@worker-health/core': `file:${tarball('core')}`, '@worker-health/exporter': `file:${tarball('exporter')}` } }, null, 2)}\n`,
    );
    const installed = install(dir, 'npm', nodeBinary('system'));
    assert.equal(installed.status, 0, `npm install failed:\n${installed.output}`);
    assert.deepEqual(complaints(installed.output), [], installed.output);
    const load = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', "const m = await import('@worker-health/exporter'); console.log(typeof m.startWorkerHealthcheck)"],
      { cwd: dir, encoding: 'utf8' },
    );
    assert.equal(`${load.stdout}${load.stderr}`, 'function\n');
  });
});

describe('Changesets (.changeset/config.json), applied to a copy of the repository', () => {
  let copy;
  let before_;
  let pending;
  let result;
  const TEST_ENTRY = 'An entry that only this test adds';

  before(() => {
    copy = mkdtempSync(join(tmpdir(), 'worker-health-release-'));
    const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard'], { cwd: repoRoot, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
    for (const file of files.filter(
      (path) => path.endsWith('package.json') || path.startsWith('.changeset/') || /CHANGELOG\.md$|pnpm-workspace\.yaml$/.test(path),
    )) {
      mkdirSync(join(copy, dirname(file)), { recursive: true });
      writeFileSync(join(copy, file), readFileSync(join(repoRoot, file)));
    }
    symlinkSync(join(repoRoot, 'node_modules'), join(copy, 'node_modules'));
    // Never empty: one more changeset that names every published package.
    const names = published.map((folder) => `'${manifestOf(copy, folder).name}': patch`).join('\n');
    writeFileSync(join(copy, '.changeset/zz-release-test.md'), `---\n${names}\n---\n\n${TEST_ENTRY}\n`);
    before_ = Object.fromEntries(WORKSPACE.map((folder) => [folder, readFileSync(join(copy, folder, 'package.json'), 'utf8')]));
    pending = readdirSync(join(copy, '.changeset'))
      .filter((file) => file.endsWith('.md') && file !== 'README.md')
      .map((file) => readFileSync(join(copy, '.changeset', file), 'utf8'));
    // The default changelog names the commit that added each changeset.
    const git = (...args) =>
      execFileSync('git', ['-c', 'user.name=release-test', '-c', 'user.email=release-test@localhost', ...args], {
        cwd: copy,
        stdio: 'ignore',
      });
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'copy');
    result = spawnSync(join(repoRoot, 'node_modules/.bin/changeset'), ['version'], { cwd: copy, encoding: 'utf8', timeout: 120_000 });
  });
  after(() => copy && rmSync(copy, { recursive: true, force: true }));

  it('versions with no error and consumes every changeset', () => {
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
    assert.deepEqual(readdirSync(join(copy, '.changeset')).sort(), ['README.md', 'config.json']);
  });

  it('bumps every published package and leaves every private one as it was', () => {
    for (const folder of WORKSPACE) {
      const changed = readFileSync(join(copy, folder, 'package.json'), 'utf8') !== before_[folder];
      assert.equal(changed, published.includes(folder), `${folder}/package.json ${changed ? 'changed' : 'did not change'}`);
      if (!published.includes(folder))
        assert.deepEqual(readdirSync(join(copy, folder)).includes('CHANGELOG.md'), false, `${folder} gets no CHANGELOG.md`);
    }
  });

  it("keeps workspace:* ranges (pnpm pack turns them into versions), changing only each published package's version", () => {
    for (const folder of published) {
      const { version, ...rest } = manifestOf(copy, folder);
      const { version: old, ...was } = JSON.parse(before_[folder]);
      assert.notEqual(version, old);
      assert.deepEqual(rest, was);
    }
  });

  it('puts a section for the new version on top of each CHANGELOG.md, above the ones it had, with each changeset that names the package', () => {
    for (const folder of published) {
      const { name, version } = manifestOf(copy, folder);
      const changelog = readFileSync(join(copy, folder, 'CHANGELOG.md'), 'utf8');
      const old = readFileSync(join(repoRoot, folder, 'CHANGELOG.md'), 'utf8');
      assert.ok(changelog.startsWith(`# ${name}\n\n## ${version}\n`), `${folder}/CHANGELOG.md begins:\n${changelog.slice(0, 200)}`);
      const sections = old.slice(old.indexOf('\n## '));
      assert.ok(changelog.endsWith(sections), `${folder}/CHANGELOG.md keeps its sections as they were, below the new one:\n${changelog}`);
      const section = changelog.slice(0, changelog.length - sections.length);
      const firstLines = pending
        .filter((changeset) => changeset.split('---')[1].includes(`'${name}'`))
        .map((changeset) => changeset.split('---').slice(2).join('---').trim().split('\n')[0]);
      assert.ok(firstLines.includes(TEST_ENTRY));
      for (const line of firstLines) assert.ok(section.includes(line), `${folder}: the new section holds "${line}":\n${section}`);
    }
  });
});
