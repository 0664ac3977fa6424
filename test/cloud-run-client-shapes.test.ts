import { describe, expect, it } from 'vitest';
import { durationText, timestampText } from '../src/cloud-run/client-shapes.js';

// The clients give a Timestamp or Duration as {seconds, nanos} (seconds as a string: gax's longs); the REST JSON the
// dashboard reads has them as proto3 JSON writes them: RFC 3339 with 0, 3, 6 or 9 fraction digits, and "900s".
describe('Timestamp and Duration as proto3 JSON', () => {
  it.each([
    [{ seconds: '1772359201', nanos: 0 }, '2026-03-01T10:00:01Z'],
    [{ seconds: '1772359201', nanos: 123000000 }, '2026-03-01T10:00:01.123Z'],
    [{ seconds: '1772359201', nanos: 123456000 }, '2026-03-01T10:00:01.123456Z'],
    [{ seconds: '1772359201', nanos: 123456789 }, '2026-03-01T10:00:01.123456789Z'],
    [{ seconds: 1772359201, nanos: 5 }, '2026-03-01T10:00:01.000000005Z'],
    [{ seconds: '1772359201' }, '2026-03-01T10:00:01Z'],
    ['2026-03-01T10:00:01.5Z', '2026-03-01T10:00:01.5Z'],
    [null, undefined],
    [undefined, undefined],
  ])('timestamp %j is %s', (v, text) => {
    expect(timestampText(v)).toBe(text);
  });

  it.each([
    [{ seconds: '900' }, '900s'],
    [{ seconds: '900', nanos: 500000000 }, '900.5s'],
    [{ seconds: 0, nanos: 0 }, '0s'],
    ['604800s', '604800s'],
    [null, undefined],
  ])('duration %j is %s', (v, text) => {
    expect(durationText(v)).toBe(text);
  });
});
