import { describe, expect, test } from 'vitest';
import { globsMeet, namesMeet } from '../src/jobs/glob-overlap.js';

describe('namesMeet: one file name matches both patterns', () => {
  test.each([
    ['failed_dates_*.json', 'failed_dates_*.json', true],
    ['failed_*.json', 'failed_dates_*.json', true],
    ['failed_dates_*.json', 'failed_games_*.json', false],
    ['failed_dates_*.json', 'retry_failed_dates_*.json', false],
    ['*failed*.json', 'retry_failed_dates_*.json', true],
    ['*', 'anything', true],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['a*', '*b', true],
    ['a*', 'b*', false],
    ['*.json', '*.csv', false],
    ['x?*y', 'x*', true],
    ['x??', 'x*z', true],
    ['x??', 'x*zz', true],
    ['x??', 'x*zzz', false],
    ['', '*', true],
    ['', '?', false],
  ])('%s and %s: %s', (p, q, meet) => {
    expect(namesMeet(p, q)).toBe(meet);
    expect(namesMeet(q, p)).toBe(meet);
  });
});

describe('globsMeet: the same folder and a name both match', () => {
  test.each([
    ['/a/failed_*.json', '/a/failed_dates_*.json', true],
    ['/a/failed_*.json', '/b/failed_dates_*.json', false],
    ['/a/failed_*.json', '/a/b/failed_*.json', false],
    ['gs://b/p/failed_*.json', 'gs://b/p/failed_x.json', true],
    ['gs://b/p/failed_*.json', 'gs://c/p/failed_x.json', false],
    ['gs://b/p/failed_*.json', '/b/p/failed_*.json', false],
  ])('%s and %s: %s', (a, b, meet) => {
    expect(globsMeet(a, b)).toBe(meet);
  });
});
