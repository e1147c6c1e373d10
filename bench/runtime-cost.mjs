// What each piece of the default runtime metrics costs the main thread:
// `node bench/runtime-cost.mjs [rounds]` (default 12). One process runs the js
// work items of the overhead benchmark (work.mjs), 4 000 per run, with nothing
// and then with each piece switched on alone, in rotating order within every
// round, 0.3 s after the switch. Ratio = median over rounds of (items/s with the
// piece) / (items/s with nothing) in the same round; "nothing again" is the noise.
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { HealthcheckMetricReader } from '@worker-health/exporter';
import { median, round, sleep } from './lib.mjs';
import { runWork } from './work.mjs';

const rounds = Number(process.argv[2] ?? 12);
const items = 4_000;
const run = async () => (items / (await runWork('js', items)).ms) * 1000;

let gcEntries = 0;
// Each piece switches itself on and returns what switches it off.
const pieces = {
  nothing: () => () => {},
  'nothing again': () => () => {},
  // What instrumentation-runtime-node's GC-duration histogram rests on: an observer of 'gc' entries.
  'gc observer': () => {
    const observer = new PerformanceObserver((list) => (gcEntries += list.getEntries().length));
    observer.observe({ entryTypes: ['gc'] });
    return () => observer.disconnect();
  },
  'event-loop delay, 10 ms': () => {
    const histogram = monitorEventLoopDelay({ resolution: 10 });
    histogram.enable();
    return () => histogram.disable();
  },
  // The whole instrumentation as the package runs it, collected once a second as a scrape would.
  'instrumentation-runtime-node': () => {
    const reader = new HealthcheckMetricReader();
    const provider = new MeterProvider({ readers: [reader] });
    const instrumentation = new RuntimeNodeInstrumentation({ monitoringPrecision: 10 });
    instrumentation.setMeterProvider(provider);
    const timer = setInterval(() => void reader.collect(), 1_000);
    return () => {
      clearInterval(timer);
      instrumentation.disable();
      void provider.shutdown();
    };
  },
};

const names = Object.keys(pieces);
const rates = Object.fromEntries(names.map((name) => [name, []]));
await run(); // warm up the JIT
for (let r = 0; r < rounds; r++) {
  for (const name of names.map((_, i) => names[(i + r) % names.length])) {
    const off = pieces[name]();
    await sleep(300);
    rates[name].push(await run());
    off();
  }
}
console.log(`${rounds} rounds of ${items} js work items (${round(median(rates.nothing), 0)} items/s with nothing); ratio to nothing:`);
for (const name of names.slice(1)) console.log(`  ${name.padEnd(30)} ${round(median(rates[name].map((rate, i) => rate / rates.nothing[i])), 3)}`);
console.log(`  (${round(gcEntries / rounds, 0)} GC entries per run of the gc observer)`);
