import type { PhasePreset } from './calendar.js';

/**
 * The `nba` preset: the days of 2021-22 to 2024-25 that are not ordinary regular-season games
 * (source: ../shared/reference/nba-season-calendar.md, local game dates, inclusive). A later season
 * is one more row per phase here, or `{"preset": "nba", "ranges": [...]}` in the config.
 */
export const NBA_PRESET: PhasePreset = {
  name: 'nba',
  defaultLabel: 'Regular season',
  // Season order, so summaries read "All-Star 8 · Play-In 12 · Playoffs 15".
  labels: ['Regular season', 'All-Star', 'Play-In', 'Playoffs'],
  ranges: [
    { label: 'All-Star', from: '2022-02-18', to: '2022-02-20' },
    { label: 'Play-In', from: '2022-04-12', to: '2022-04-15' },
    { label: 'Playoffs', from: '2022-04-16', to: '2022-06-16' },
    { label: 'All-Star', from: '2023-02-17', to: '2023-02-19' },
    { label: 'Play-In', from: '2023-04-11', to: '2023-04-14' },
    { label: 'Playoffs', from: '2023-04-15', to: '2023-06-12' },
    { label: 'All-Star', from: '2024-02-16', to: '2024-02-18' },
    { label: 'Play-In', from: '2024-04-16', to: '2024-04-19' },
    { label: 'Playoffs', from: '2024-04-20', to: '2024-06-17' },
    { label: 'All-Star', from: '2025-02-14', to: '2025-02-16' },
    { label: 'Play-In', from: '2025-04-15', to: '2025-04-18' },
    { label: 'Playoffs', from: '2025-04-19', to: '2025-06-22' },
  ],
};
