import { performance } from 'node:perf_hooks';
import { computeCoverage } from '../dist/src/coverage/math.js';
import { createGcsSource } from '../dist/src/coverage/gcs-source.js';
import { importTestSupport } from './test-support.js';
import { median } from './stats.js';

const TARGETS = [95, 98, 100];
const gameId = (i) => `00${String(i).padStart(8, '0')}`;

/**
 * computeCoverage for `n` expected keys (sorted, unique, as readExpectedKeys gives them) against `n`
 * found keys of which half are expected: one warm-up, then the median of `runs`.
 */
export function coverageMath({ n = 100_000, runs = 7 } = {}) {
  const expected = Array.from({ length: n }, (_, i) => gameId(i));
  const found = new Set(Array.from({ length: n }, (_, i) => gameId(i + n / 2)));
  let result = computeCoverage(expected, found, TARGETS);
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    result = computeCoverage(expected, found, TARGETS);
    times.push(performance.now() - t);
  }
  const ok = result.present === n / 2 && result.extra === n / 2 && result.missing.length === n / 2;
  return { n, runs, times, median: median(times), ok, present: result.present, extra: result.extra };
}

/**
 * Lists `n` keys (one object in each folder PREFIX/KEY/) from the loopback fake GCS through the real
 * client (createGcsSource with apiEndpoint): one warm-up, then `runs` listings; requests per listing
 * as the server counted them.
 */
export async function gcsListing({ n, runs }) {
  const bucket = 'bench-bucket';
  const prefix = 'nba-com/player-boxscores/';
  const keys = Array.from({ length: n }, (_, i) => gameId(i));
  const { startFakeGcs } = await importTestSupport('fake-gcs-server');
  const server = await startFakeGcs({ bucket, objects: keys.map((k) => `${prefix}${k}/20251126_120000.json`) });
  try {
    // budget: null: this measures what a listing costs; the request budget would pace the repeated listings.
    const source = createGcsSource({ url: `gs://${bucket}/${prefix}`, apiEndpoint: server.url, projectId: 'bench', budget: null });
    const listOnce = async () => {
      const before = server.requests;
      const t = performance.now();
      const r = await source.list(AbortSignal.timeout(120_000));
      return { ms: performance.now() - t, requests: server.requests - before, reported: r.requests, keys: r.keys.size };
    };
    await listOnce();
    const results = [];
    for (let i = 0; i < runs; i++) results.push(await listOnce());
    const times = results.map((r) => r.ms);
    return {
      n,
      runs,
      times,
      median: median(times),
      requests: results[0].requests,
      reported: results[0].reported,
      ok: results.every((r) => r.keys === n && r.requests === results[0].requests),
    };
  } finally {
    await server.close();
  }
}
