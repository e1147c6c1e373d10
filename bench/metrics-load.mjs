// "/health while /metrics works": what a large /metrics, scraped by many at once, does to the
// probes, to the scrape time beside prom-client, and to memory.
import { Agent, request } from 'node:http';
import { median, percentile, round, sleep, startProber, startTarget } from './lib.mjs';

/** One scrape of `/metrics` (on `agent`'s connection, else a fresh one); the body is counted, not kept. */
function scrapeOnce(port, agent = false) {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/metrics', agent, timeout: 30_000 }, (res) => {
      let bytes = 0;
      res.on('data', (chunk) => (bytes += chunk.length));
      res.on('end', () => resolve({ ok: res.statusCode === 200, bytes }));
      res.on('error', () => resolve({ ok: false, bytes }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ ok: false, bytes: 0 }));
    req.end();
  });
}

/**
 * `concurrency` scrapers, each scraping `/metrics` again as soon as its last scrape ended, on a
 * keep-alive connection, for `ms`. Bodies are counted, not kept, so the scrapers' own cost stays small.
 */
export async function scrapeLoop(port, concurrency, ms) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const until = Date.now() + ms;
  let scrapes = 0;
  let errors = 0;
  let bytes = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      do {
        const reply = await scrapeOnce(port, agent);
        if (reply.ok) bytes = reply.bytes;
        else errors++;
        scrapes++;
      } while (Date.now() < until);
    }),
  );
  agent.destroy();
  return { scrapes, errors, bytes };
}

/** Probe latencies (ours and the floor's, in one process) idle, then while `scrapers` scrape a page of `series`. */
export async function probesUnderScrapes(P, series, scrapers, env) {
  const target = await startTarget('package', { BENCH_SERIES: String(series), BENCH_METRICS_TIMEOUT_MS: '10000', ...env });
  // The floor beside it, in the same process: what the machine alone does to a probe meanwhile.
  target.send('start floor');
  const floorPort = (await target.next('started')).port;
  await scrapeOnce(target.port); // one collection before the probes start
  const ours = await startProber(target.port, '/health', P.loadProbeEveryMs);
  const floor = await startProber(floorPort, '/health', P.loadProbeEveryMs);
  await sleep(P.loadIdleMs);
  const burstStart = Date.now();
  const load = await scrapeLoop(target.port, scrapers, P.loadBurstMs);
  const burstEnd = Date.now();
  await sleep(200);
  const [o, f] = [await ours.stop(), await floor.stop()];
  await target.stop();
  const pick = (replies, from, to) => replies.filter((r) => r.sentAt >= from && r.sentAt < to).map((r) => r.ms);
  const stats = (ms) => ({
    n: ms.length,
    p50Ms: round(percentile(ms, 50)),
    p99Ms: round(percentile(ms, 99)),
    maxMs: round(Math.max(...ms)),
  });
  return {
    series,
    scrapers,
    scrapes: load.scrapes,
    scrapeErrors: load.errors,
    pageBytes: load.bytes,
    probeErrors: o.filter((r) => r.status !== 200).length,
    idle: stats(pick(o, 0, burstStart)),
    burst: stats(pick(o, burstStart, burstEnd)),
    floorIdle: stats(pick(f, 0, burstStart)),
    floorBurst: stats(pick(f, burstStart, burstEnd)),
  };
}

/** Median time of `scrapes` sequential scrapes (fresh connection each) of a target with `series` application series. */
export async function scrapeTime(mode, series, scrapes, env = {}) {
  const target = await startTarget(mode, { BENCH_SERIES: String(series), BENCH_METRICS_TIMEOUT_MS: '10000', ...env });
  await scrapeOnce(target.port);
  const times = [];
  let bytes = 0;
  for (let i = 0; i < scrapes; i++) {
    const started = performance.now();
    const reply = await scrapeOnce(target.port);
    if (reply.ok) times.push(performance.now() - started);
    bytes = reply.bytes;
  }
  await target.stop();
  return { series, medianMs: round(median(times)), maxMs: round(Math.max(...times)), bytes, scrapes: times.length };
}

/** Peak RSS of a fresh target while `scrapers` scrape a page of `series` at once (`rounds` times), against its RSS before. */
async function peakRss(series, scrapers, rounds) {
  const target = await startTarget('package', { BENCH_SERIES: String(series), BENCH_METRICS_TIMEOUT_MS: '10000' });
  await scrapeOnce(target.port);
  target.send('mem');
  const before = (await target.next('mem')).mem.rss;
  target.send('peak'); // resets the peak
  await target.next('peak');
  let errors = 0;
  for (let i = 0; i < rounds; i++) {
    const replies = await Promise.all(Array.from({ length: scrapers }, () => scrapeOnce(target.port)));
    errors += replies.filter((r) => !r.ok).length;
  }
  target.send('peak');
  const peak = (await target.next('peak')).peak.rss;
  await target.stop();
  const mib = (bytes) => round(bytes / 2 ** 20, 1);
  return { series, scrapers, rounds, rssBeforeMiB: mib(before), peakMiB: mib(peak), errors };
}

export async function metricsLoad(P) {
  const probes = [];
  for (const [series, scrapers] of P.loadCases) probes.push(await probesUnderScrapes(P, series, scrapers, {}));
  // The goal's case again (it is also one of the table's), so that its verdict rests on more than one run.
  const [goalSeries, goalScrapers] = P.loadGoalCase;
  const goalRepeats = [];
  for (let run = 1; run < P.loadGoalRuns; run++) goalRepeats.push(await probesUnderScrapes(P, goalSeries, goalScrapers, {}));
  const scrapeTimes = { package: [], 'prom-client': [], 'bare-otel': [] };
  for (const series of P.loadScrapeSeries) {
    for (const mode of Object.keys(scrapeTimes)) scrapeTimes[mode].push(await scrapeTime(mode, series, P.loadScrapes));
  }
  const million = await scrapeTime('package', P.loadMillion, P.loadMillionScrapes);
  const memory = {
    sequential: await peakRss(P.loadMemorySeries, 1, 2),
    concurrent: [],
  };
  for (const scrapers of P.loadMemoryScrapers) memory.concurrent.push(await peakRss(P.loadMemorySeries, scrapers, 1));
  return { probes, goalRepeats, scrapeTimes, million, memory };
}
