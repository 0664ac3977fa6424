import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { LineSplitter } from '../src/follow/line-splitter.js';
import { runCliAsync } from './support/cli.js';
import { logLine, T0 } from './support/log-text.js';
import { removeDir } from './support/remove-dir.js';

// Tester AC10: a record behind more than 64 KiB of tqdm's `\r` redraws on its physical line (a bar redrawn every
// 0.1 s for ~110 s between two records) was cut off with the line's end: the run read `complete`, 0 done, no word.
const dir = mkdtempSync(join(tmpdir(), 'bt-long-junk-'));
afterAll(() => removeDir(dir));

const redraw = (i: number) => `\rscraping:  45%|####      | ${i}/1500 [00:54<00:10, 9.9it/s]`;

describe('a line longer than the cap keeps its first and last halves', () => {
  test('whatever the cut of the reads, the kept bytes are the first and last halves, the middle counted', () => {
    const line = Buffer.from(`${'a'.repeat(100)}${'m'.repeat(1000)}${'z'.repeat(100)}`);
    const text = Buffer.concat([Buffer.from('before\n'), line, Buffer.from('\nafter\n')]);
    for (const step of [1, 7, 64, 99, 100, 101, 1000, text.length]) {
      const dropped: number[] = [];
      const splitter = new LineSplitter(200, (n) => dropped.push(n));
      let out = '';
      for (let at = 0; at < text.length; at += step) out += splitter.push(text.subarray(at, at + step))?.toString('latin1') ?? '';
      expect(out).toBe(`before\n${'a'.repeat(100)}${'z'.repeat(100)}\nafter\n`);
      expect(dropped).toEqual([1000]);
    }
  });

  test('a line as long as the cap is kept whole, one byte more loses one byte of its middle', () => {
    const whole = new LineSplitter(200);
    const exact = `${'a'.repeat(100)}${'z'.repeat(100)}\n`;
    expect(whole.push(Buffer.from(exact))!.toString()).toBe(exact);
    const dropped: number[] = [];
    const over = new LineSplitter(200, (n) => dropped.push(n));
    expect(over.push(Buffer.from(`${'a'.repeat(100)}m${'z'.repeat(100)}\n`))!.toString()).toBe(exact);
    expect(dropped).toEqual([1]);
  });
});

describe('status --json reads a record behind any amount of bytes on its line', () => {
  /** Ten records a minute apart, each after `redraws` bar redraws on its own physical line, then the summary. */
  function tqdmLog(redraws: number): string {
    let text = `${logLine(T0, 'INFO', 'NBA.com Player Boxscore Scraper Backfill (v2) initialized')}\n${logLine(T0, 'INFO', 'Loaded 10 dates from /tmp/d.csv')}\n`;
    for (let k = 1; k <= 10; k++) {
      for (let i = 0; i < redraws; i++) text += redraw(i);
      text += `\r${logLine(T0 + k * 60_000, 'INFO', `  ✅ Scraped 2022-01-${String(k).padStart(2, '0')}`)}\n`;
    }
    return `${text}${logLine(T0 + 11 * 60_000, 'INFO', 'BACKFILL COMPLETE')}\n`;
  }

  test.each([[1_100], [1_200], [1_500], [20_000]])('%i redraws in front of each record: all ten read', async (redraws) => {
    const log = join(dir, `tq-${redraws}.log`);
    writeFileSync(log, tqdmLog(redraws));
    const r = await runCliAsync(['status', '--json', '--log', log, '--failed', join(dir, 'none_*.json')], { cwd: dir, env: { TZ: 'UTC' } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).run).toMatchObject({ state: 'complete', done: 10, succeeded: 10 });
  }, 30_000);

  test('1 MB of other text without a newline in front of a failure: the failure counted, its key missing', async () => {
    const log = join(dir, 'print.log');
    const ok = Array.from({ length: 29 }, (_, i) => logLine(T0 + i * 1000, 'INFO', `  ✅ Scraped 2022-02-${String(i + 1).padStart(2, '0')}`)).join('\n');
    writeFileSync(log, `${logLine(T0, 'INFO', 'NBA.com Player Boxscore Scraper Backfill (v2) initialized')}\n${logLine(T0, 'INFO', 'Loaded 30 dates from /tmp/d.csv')}\n${ok}\n${'.'.repeat(1 << 20)}${logLine(T0 + 40_000, 'ERROR', '  ❌ Failed 2022-01-11: HTTP 500')}\n`);
    const r = await runCliAsync(['status', '--json', '--log', log, '--failed', join(dir, 'none_*.json')], { cwd: dir, env: { TZ: 'UTC' } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).run).toMatchObject({ done: 30, succeeded: 29, failed: 1 });
    const missing = await runCliAsync(['missing', '--from', 'failures', '--log', log, '--failed', join(dir, 'none_*.json')], { cwd: dir, env: { TZ: 'UTC' } });
    expect(missing.stdout).toBe('2022-01-11\n');
  }, 30_000);
});
