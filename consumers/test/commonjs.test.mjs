import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { COMMONJS } from '../lines.mjs';
import { AppProcess, assertServesApp, assertStopsByItself } from '../support/app-process.mjs';
import { complaints, createConsumer, install } from '../support/consumer.mjs';
import { nodeBinary, nodeVersion } from '../support/node-binary.mjs';
import { packPublished } from '../support/tarballs.mjs';

const SPECIFIERS = ['@worker-health/exporter', '@worker-health/exporter/metric-reader'];
// Each TypeScript release under a name of its own, so that one project holds them all.
const typescriptPackage = (version) => `typescript-${version}`;

const tarballs = packPublished();

describe('A CommonJS TypeScript project (no "type": "module") on the packed tarballs, installed with npm', () => {
  let node;
  let dir;
  let installed;

  before(() => {
    node = nodeBinary('system');
    const devDependencies = Object.fromEntries(
      COMMONJS.typescript.map((version) => [typescriptPackage(version), `npm:typescript@${version}`]),
    );
    dir = createConsumer({
      otel: COMMONJS.otel,
      tarballs,
      app: 'app-commonjs',
      commonjs: true,
      devDependencies: { ...devDependencies, '@types/node': '20.19.9' },
    });
    installed = install(dir, 'npm', node);
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('installs with no resolution error, peer warning or engine warning', () => {
    assert.equal(installed.status, 0, `npm install failed:\n${installed.output}`);
    assert.deepEqual(complaints(installed.output), [], `npm install complained:\n${installed.output}`);
    assert.equal(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).type, undefined, 'the project is CommonJS');
  });

  /** Where each of SPECIFIERS resolves for the types: the exports map's `types` targets, as installed. */
  const exportedTypes = () => {
    const manifest = JSON.parse(readFileSync(join(dir, 'node_modules/@worker-health/exporter/package.json'), 'utf8'));
    return SPECIFIERS.map((specifier) => {
      const subpath = `.${specifier.slice('@worker-health/exporter'.length)}`;
      return join(dir, 'node_modules/@worker-health/exporter', manifest.exports[subpath].types);
    });
  };

  for (const version of COMMONJS.typescript) {
    for (const [module, expected] of Object.entries(COMMONJS.modules)) {
      const out = `out-${version}-${module}`;
      const title =
        expected === 'passes'
          ? `TypeScript ${version}, tsc --module ${module}: type-checks, both entries resolve to the types the exports map names, and compile to require()`
          : `TypeScript ${version}, tsc --module ${module}: reports ${expected} for both imports (that setting models Node 16, which cannot require() an ES module)`;
      it(title, (t) => {
        const tsc = join(dir, 'node_modules', typescriptPackage(version), 'bin/tsc');
        const result = spawnSync(node, [tsc, '-p', 'tsconfig.json', '--module', module, '--outDir', out, '--traceResolution'], {
          cwd: dir,
          encoding: 'utf8',
          timeout: 120_000,
          maxBuffer: 256 * 1024 * 1024,
        });
        assert.equal(result.error, undefined);
        const errors = result.stdout.split('\n').filter((line) => /error TS\d+/.test(line));
        if (expected === 'passes') {
          assert.deepEqual(errors, [], `tsc --module ${module}:\n${errors.join('\n')}`);
          assert.equal(result.status, 0);
          const resolved = SPECIFIERS.map((specifier) => {
            const match = new RegExp(`Module name '${specifier}' was successfully resolved to '([^']+)'`).exec(result.stdout);
            return match?.[1];
          });
          assert.deepEqual(resolved, exportedTypes(), 'the types tsc resolved for each entry');
          const kind = /Module resolution kind is not specified, using '(\w+)'/.exec(result.stdout);
          t.diagnostic(`moduleResolution ${kind?.[1] ?? 'as the module setting implies'}`);
        } else {
          assert.deepEqual(
            errors.map((line) => /error (TS\d+)/.exec(line)[1]),
            SPECIFIERS.map(() => expected),
            result.stdout
              .split('\n')
              .filter((line) => !line.startsWith('=') && /error|TS\d/.test(line))
              .join('\n'),
          );
          for (const specifier of SPECIFIERS)
            assert.ok(
              errors.some((line) => line.includes(`"${specifier}"`)),
              `${expected} names ${specifier}`,
            );
        }
        // tsc emits even when it reports errors; the output is CommonJS either way.
        const compiled = readFileSync(join(dir, out, 'main.js'), 'utf8');
        for (const specifier of SPECIFIERS)
          assert.ok(compiled.includes(`require("${specifier}")`), `main.js requires ${specifier}:\n${compiled}`);
        assert.doesNotMatch(compiled, /^\s*import\b|\bimport\(/m, 'main.js has no import statement or dynamic import');
      });
    }
  }

  // What tsc emitted for each setting runs; node16's too, which shows that setting's error is the type checker's model, not Node.
  const runs = COMMONJS.typescript.flatMap((version) =>
    Object.entries(COMMONJS.modules).flatMap(([module, expected]) =>
      (expected === 'passes' ? COMMONJS.nodes : ['system']).map((line) => ({ version, module, line })),
    ),
  );
  for (const { version, module, line } of runs) {
    it(`Node ${line} runs what TypeScript ${version} emitted for --module ${module}: /health 200, the app's counter on /metrics, no warning, ends by itself after shutdown`, async (t) => {
      const main = join(`out-${version}-${module}`, 'main.js');
      assert.ok(existsSync(join(dir, main)), `tsc emitted ${main} (the test of that setting above)`);
      const binary = nodeBinary(line);
      t.diagnostic(`node ${nodeVersion(binary)}`);
      const app = new AppProcess(dir, binary, { args: [main] });
      try {
        const port = await app.ready(20_000);
        await assertServesApp(port);
        // require() of an ES module prints an ExperimentalWarning on the Node versions that still call it experimental.
        await assertStopsByItself(app, { quiet: true });
      } finally {
        app.kill();
      }
    });
  }
});
