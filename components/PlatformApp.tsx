import React, { useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { Box, Text, useStdout } from 'ink';
import { boxOpen, type Platform } from '../src/app/platform-runtime.js';
import type { ChainState } from '../src/chain/chain-sources.js';
import { funnel, type FunnelRow } from '../src/chain/funnel.js';
import { useKeyInput } from './useKeyInput.js';
import { keysOf, type KeyEvent } from '../src/key-chunk.js';
import { answersYes, ASKS, intentFor, type Intent } from '../src/keymap.js';
import { overviewAction } from '../src/overview/overview-keymap.js';
import { filterLine, filterPromptKey, filterRows } from '../src/overview/overview-filter.js';
import { overviewRows } from '../src/overview/overview-rows.js';
import { overviewCells } from '../src/overview/overview-text.js';
import { fitRows, namesApart, truncateMiddle } from '../src/text-width.js';
import { fitNotices } from '../src/state/body-height.js';
import { stageNotes } from '../src/chain/funnel-text.js';
import { moveSelection } from '../src/overview/platform-ui.js';
import { LINES_PER_JOB, MIN_HEIGHT, MIN_WIDTH, overviewColumns, visibleWindow } from '../src/overview/layout.js';
import { App } from './App.js';
import { handleJobKey } from './job-keys.js';
import { ChooseGroup } from './ChooseGroup.js';
import { ConfirmBox } from './ConfirmBox.js';
import { FunnelPanel } from './FunnelPanel.js';
import { HelpBar } from './HelpBar.js';
import { Notices, recentNotices } from './Notices.js';
import { MoreJobs, OverviewHead, OverviewJob, spins } from './OverviewList.js';
import { spinnerFrame } from './ClockSpinner.js';
import { OverviewHelp, OverviewHelpBar } from './OverviewHelp.js';
import { ColorProvider } from './theme.js';
import { countOf } from '../src/format.js';

/** Object identity as a number, for frame keys: a confirm box is the same box while it is the same object. */
const ids = new WeakMap<object, number>();
let lastId = 0;
function idOf(o: object | null | undefined): number {
  if (!o) return 0;
  let id = ids.get(o);
  if (id === undefined) ids.set(o, (id = ++lastId));
  return id;
}

/** What the overview shows, read from the jobs' stores, the chain and the platform's own view state. */
function overviewData(platform: Platform) {
  const ui = platform.ui.getState();
  const all = overviewRows(platform.jobs.map((j) => j.store.getState()));
  // `/`: only the jobs the filter matches are listed, moved through and acted on.
  const rows = filterRows(all, ui.filter ?? '');
  // A job's open box is answered before anything else: its job is the one selected, whatever the filter or the
  // cursor (tester AG4: a filter typed while `r` listed storage left the job out, and its box with it). The
  // cursor's own job first when its box is open; one box shows at a time, named by its job above it.
  const boxed = ui.selected !== null && platform.job(ui.selected) && boxOpen(platform.job(ui.selected)!) ? ui.selected : (platform.jobs.find(boxOpen)?.store.getState().job ?? null);
  const selected = boxed ?? (ui.selected !== null && rows.some((r) => r.job === ui.selected) ? ui.selected : (rows[0]?.job ?? null));
  const runtime = selected === null ? undefined : platform.job(selected);
  const job = runtime?.store.getState();
  const row = rows.find((r) => r.job === selected);
  // The selected job's failing source, whole (its row has room for the kind only): what failed and what to do.
  const p = row?.problem;
  const problem = p ? `${row.job}: ${p.message}${p.hint ? ` → ${p.hint}` : ''}${row.problems > 1 ? ` (and ${row.problems - 1} more: Enter shows them)` : ''}` : null;
  const notices = job ? recentNotices(job.ui.notices, job.now).filter((n) => n.text !== p?.message).map((n) => ({ ...n, text: `${job.job}: ${n.text}` })) : [];
  const chainState = platform.chain?.getState();
  const chain = platform.registry.chain;
  const funnelRows = chain && chainState ? funnelOf(chain, chainState) : null;
  // The jobs share one clock: its newest tick turns the overview's spinners.
  const now = Math.max(0, ...platform.jobs.map((j) => j.store.getState().now));
  return { ui, all, rows, selected, runtime, job, notices, problem, chainState, funnelRows, now };
}

// The funnel per chain state: the frame key and the frame both ask for it.
const funnels = new WeakMap<object, FunnelRow[]>();
function funnelOf(chain: NonNullable<Platform['registry']['chain']>, state: ChainState): FunnelRow[] {
  let rows = funnels.get(state);
  if (!rows) funnels.set(state, (rows = funnel(chain.stages, chain.targets, state.expected?.keys ?? [], state.looks)));
  return rows;
}

/**
 * Everything the screen would show, as a string: a frame is drawn only when it changes. The job screen draws
 * from its own store; here only which job it is matters.
 */
function frameKey(platform: Platform): string {
  const ui = platform.ui.getState();
  if (ui.screen === 'job') return JSON.stringify(['job', ui.selected, ui.openedOn]);
  const d = overviewData(platform);
  const rows = d.rows.map((r) => [Object.values(overviewCells(r)), r.status, r.done, r.total, r.runFailed, r.runSucceeded, r.runSkipped, r.storage?.error ?? null, r.warehouse?.error ?? null]);
  const job = d.job?.ui;
  const funnelRows = d.funnelRows?.map((r) => [r.stage, r.present, r.expected, r.source, stageNotes(r)]);
  // A running row's spinner turns once a second with the clock: only then is a tick a new frame.
  const spinner = d.rows.some(spins) ? spinnerFrame(d.now) : null;
  return JSON.stringify([ui, d.selected, rows, d.notices.map((n) => [n.text, n.tone]), d.problem, idOf(job?.confirm), idOf(job?.choosingGroup), funnelRows, d.chainState?.expectedError ?? null, spinner]);
}

/**
 * Re-renders when what the overview shows changed: changes of the jobs' stores, the chain and the platform's
 * view state that come together (one clock tick for every job) are looked at once, and a change nobody sees
 * (a tick that moves no age, a poll that found the same keys) draws nothing.
 */
function usePlatform(platform: Platform, stdout: NodeJS.WriteStream): number {
  const sub = useMemo(() => {
    let version = 0;
    // The terminal's size too: a change that comes with a resize not yet heard is drawn at the new size.
    const key = () => `${stdout.columns}x${stdout.rows} ${frameKey(platform)}`;
    let shown = key();
    return {
      subscribe(listener: () => void) {
        let pending: NodeJS.Immediate | null = null;
        const look = () => {
          pending = null;
          const now = key();
          if (now === shown) return;
          shown = now;
          version += 1;
          listener();
        };
        const bump = () => {
          pending ??= setImmediate(look);
        };
        const offs = [platform.ui.subscribe(bump), ...platform.jobs.map((j) => j.store.subscribe(bump)), platform.chain?.subscribe(bump) ?? (() => undefined)];
        return () => {
          offs.forEach((off) => off());
          if (pending) clearImmediate(pending);
        };
      },
      get: () => version,
    };
  }, [platform, stdout]);
  return useSyncExternalStore(sub.subscribe, sub.get);
}

/**
 * Several jobs: the overview (one row per job, sorted by what needs the operator, and the chain's funnel),
 * and for the selected job today's dashboard. Keys that act on a job act on the selected one from either screen.
 */
export function PlatformApp(props: { platform: Platform; color: boolean; exit: () => void }) {
  // Clipped to the terminal's width as Ink lays it out: the frame Ink draws by itself on a resize, before the
  // screens re-render at the new size, never wraps (a wrapped row is one more than Ink erases next time).
  return (
    <Box width="100%" flexDirection="column" overflowX="hidden">
      <PlatformScreens {...props} />
    </Box>
  );
}

function PlatformScreens({ platform, color, exit }: { platform: Platform; color: boolean; exit: () => void }) {
  const { stdout, write } = useStdout();
  usePlatform(platform, stdout);
  // The size is read from the terminal on every render; a resize only asks for one.
  const [, setResized] = useState(0);
  const size = { width: stdout.columns || 80, height: stdout.rows || 24 };
  // Heard from the first commit on (a layout effect, not a passive one that runs later).
  useLayoutEffect(() => {
    const onResize = () => {
      setResized((n) => n + 1);
      // A terminal may re-wrap the rows on screen when its width changes (tmux did, under load), and then Ink's
      // erase of the last frame (so many rows up) leaves the wrapped rest above the new one: clear it all first.
      write('\x1b[2J\x1b[H');
    };
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, write]);
  const scroll = useRef(0);

  const current = () => overviewData(platform);

  const ui = platform.ui.getState();
  // The one reader of keys on both screens: keys arriving together (a held key, a paste, `Enter f` typed fast)
  // are each handled in order by the screen the key before them left, so one that opens a job's screen (Enter,
  // f, h) or comes back from it (Esc) hands the rest of the read on (tester: `Enter` then `f` lost the `f`).
  // A box takes its answer only from a read after the one that opened it (`xy` never stops unseen).
  useKeyInput((input, key, raw) => {
    const boxBefore = current().runtime?.store.getState().ui.confirm ?? null;
    // A key that asks a question ends the read: the box it opens is the next thing to answer (ASKS).
    for (const ev of keysOf(input, key, raw)) {
      const intent = platform.ui.getState().screen === 'overview' ? handleKey(ev, boxBefore) : jobKey(ev, boxBefore);
      if (intent && ASKS.has(intent)) break;
    }
  });

  /** A key on the selected job's screen: the job screen's own handling, Esc coming back here. */
  function jobKey(ev: KeyEvent, boxBefore: unknown): Intent | null {
    const { runtime } = current();
    if (!runtime) return null;
    return handleJobKey(ev, { store: runtime.store, onIntent: runtime.controller.onIntent, backFrom: platform.ui.getState().openedOn, onBack: back }, boxBefore);
  }
  const back = () => platform.ui.set({ screen: 'overview', openedOn: null });

  /** A key on the overview; returns the job intent it was taken as (null: none or the overview's own). */
  function handleKey(ev: KeyEvent, boxBefore: unknown): Intent | null {
    const intent = overviewKey(ev, boxBefore);
    return typeof intent === 'string' ? intent : null;
  }

  function overviewKey(ev: KeyEvent, boxBefore: unknown): Intent | null | void {
      const { name } = ev;
      const { rows, selected, runtime } = current();
      const job = runtime?.store.getState();
      const ui = platform.ui.getState();
      // The filter prompt takes every key as its text (`q` too), as the failures filter does; Ctrl-C still quits.
      if (ui.filtering) {
        if (name === 'ctrl+c') return exit();
        const patch = filterPromptKey(ui, ev);
        if (patch) platform.ui.set(patch);
        return;
      }
      // A confirm box or group choice of the selected job takes the keys until it is answered.
      if (runtime && job && (job.ui.confirm || job.ui.choosingGroup)) {
        const intent = intentFor(job, name);
        if (answersYes(intent) && job.ui.confirm !== boxBefore) return;
        // `q` in a box leaves the overview itself, answering nothing.
        if (intent === 'quit') return exit();
        if (intent) runtime.controller.onIntent(intent);
        return intent;
      }
      const action = overviewAction(name);
      // A key that acts on a job pins the cursor to it: rows that sort afterwards never move it to another job.
      if (action && (action.kind === 'open' || action.kind === 'job') && platform.ui.getState().selected === null && selected !== null) platform.ui.set({ selected });
      if (platform.ui.getState().help) {
        if (name === '?' || name === 'escape') platform.ui.set({ help: false });
        else if (action?.kind === 'quit') exit();
        return;
      }
      // Esc clears a kept filter (the `/` row of the keymap says so); nothing else is on Esc here.
      if (name === 'escape' && ui.filter) return platform.ui.set({ filter: '' });
      if (!action) return;
      switch (action.kind) {
        case 'quit':
          return exit();
        case 'suspend':
          // Done already on the terminal's raw read (src/app/suspend.ts).
          return;
        case 'help':
          return platform.ui.set({ help: true });
        case 'filter':
          return platform.ui.set({ filtering: true });
        case 'select':
          return platform.ui.set({ selected: moveSelection(rows.map((r) => r.job), selected, action.step) });
        case 'open':
          if (!runtime) return;
          runtime.controller.onIntent('view-dashboard');
          return platform.ui.set({ screen: 'job', selected, openedOn: null });
        case 'job':
          if (!runtime) return;
          runtime.controller.onIntent(action.intent);
          // Opened on a view (f, h): Esc there comes straight back here.
          if (action.open) platform.ui.set({ screen: 'job', selected, openedOn: runtime.store.getState().ui.view });
          return action.intent;
      }
  }

  const { all, rows, selected, runtime, job, notices, problem, chainState, funnelRows, now } = current();
  if (ui.screen === 'job' && runtime) {
    return <App store={runtime.store} onIntent={runtime.controller.onIntent} color={color} takeKeys={false} />;
  }

  const width = size.width;
  const titleText = (title: string) => (
    <Text bold wrap="truncate-end">
      backfill-tui <Text dimColor>· {title}</Text>
    </Text>
  );
  // A half-read log's state is not known yet (a finished run read half-way looks ended): not counted.
  // The title counts every job, filtered out or not.
  const count = (s: string) => all.filter((r) => r.status === s && !r.reading && !r.runUnknown).length;
  // A run that died is counted as such, not as a failing source (tester AG6 d: a run that died at start read `1 with a
  // failing source` while every source answered).
  const failing = all.filter((r) => r.problem && r.problem.source !== 'run').length;
  const died = all.filter((r) => r.problem?.source === 'run').length;
  const title = [countOf(all.length, 'job'), ...['running', 'stalled', 'ended'].filter((s) => count(s)).map((s) => `${count(s)} ${s}`), ...(failing ? [`${failing} with a failing source`] : []), ...(died ? [`${died} whose run died`] : [])].join(' · ');
  if (width < MIN_WIDTH || size.height < MIN_HEIGHT) {
    return (
      <ColorProvider color={color}>
        <Box flexDirection="column" width={width}>
          {titleText(title)}
          <Text wrap="truncate-end">{`small terminal ${width}×${size.height}: needs ${MIN_WIDTH}×${MIN_HEIGHT}`}</Text>
          <OverviewHelpBar width={width} height={size.height} />
        </Box>
      </ColorProvider>
    );
  }
  // Wrapped as on the job screen (the why and the fix come last, and were cut at 80 columns: tester AA9's residue), in
  // bounded rows so the list keeps its own; on a short terminal only the newest notice, on one row.
  const noticesShown = fitNotices(notices, width - 1, size.height);
  // The selected job's failing source whole where there is room (a 403 with its fix is ~190 characters: 3 rows at 80).
  const problemLines = problem ? fitRows(problem, width - 1, size.height < 20 ? 1 : 4) : [];
  // Title, notices, two head lines, the key bar; and one row short of the terminal: Ink clears the whole screen
  // on every frame of an output that fills it.
  const filtered = filterLine(ui, rows.length, all.length);
  const preparing = (ui.preparing ? 1 : 0) + (filtered ? 1 : 0);
  const free = size.height - 1 - preparing - noticesShown.reduce((n, x) => n + x.lines.length, 0) - problemLines.length - 2 - 1 - 1;
  // Jobs first: the funnel shows only where at least two jobs still do (with the ↑/↓ more lines of a list that scrolls).
  const jobLines = Math.min(rows.length, 2) * LINES_PER_JOB + (rows.length > 2 ? 2 : 0);
  const chainLines = funnelRows && free - (funnelRows.length + 1) >= jobLines ? funnelRows.length + 1 : 0;
  const selectedIndex = Math.max(0, rows.findIndex((r) => r.job === selected));
  const win = visibleWindow(rows.length, selectedIndex, free - chainLines, scroll.current);
  scroll.current = win.start;
  const scrolls = win.above + win.below > 0;
  const cols = overviewColumns(width, Math.max(...all.map((r) => r.job.length)));
  // Names cut in the middle, apart from each other (tester AF8 g: two jobs differing at the end read the same).
  const names = namesApart(all.map((r) => r.job), cols.name);
  const shown = rows.slice(win.start, win.start + win.shown);
  // The box's rows: what the title, the lines above it, its job's name and the key bar leave (one row short of the screen).
  const boxRows = size.height - 1 - 1 - preparing - noticesShown.reduce((n, x) => n + x.lines.length, 0) - problemLines.length - 1 - 1;
  const modalBox = job?.ui.confirm ? <ConfirmBox confirm={job.ui.confirm} width={width} height={boxRows} /> : job?.ui.choosingGroup ? <ChooseGroup groups={job.ui.choosingGroup.groups} index={job.ui.choosingGroup.index} width={width} /> : null;
  // On the overview the box says which job it is about: the box itself is the job screen's.
  const modal = modalBox && job ? (
    <Box flexDirection="column">
      <Text bold>{truncateMiddle(job.job, width)}</Text>
      {modalBox}
    </Box>
  ) : null;

  const helpOpen = !modal && ui.help;
  return (
    <ColorProvider color={color}>
      <Box flexDirection="column" width={width}>
        {titleText(title)}
        {ui.preparing ? <Text wrap="truncate-end">{ui.preparing}</Text> : null}
        {filtered ? (
          <Text wrap="truncate-end" color={color && rows.length === 0 ? 'yellow' : undefined}>
            {filtered}
          </Text>
        ) : null}
        {/* The help is the one screen that must be whole at 80×24: notices and problems wait behind it (tester W10). */}
        {job && !helpOpen ? <Notices notices={noticesShown} /> : null}
        {(helpOpen ? [] : problemLines).map((line, i) => (
          <Text key={i} wrap="truncate-end" color={color ? 'red' : undefined}>
            {line}
          </Text>
        ))}
        {modal ?? (helpOpen ? <OverviewHelp width={width} height={size.height - 3 - preparing} /> : null)}
        {modal || ui.help ? null : (
          <>
            <OverviewHead cols={cols} />
            {scrolls ? <MoreJobs count={win.above} up /> : null}
            {shown.map((r) => (
              <OverviewJob key={r.job} row={r} selected={r.job === selected} cols={cols} now={now} name={names.get(r.job)} />
            ))}
            {scrolls ? <MoreJobs count={win.below} up={false} /> : null}
            {chainLines && funnelRows ? <FunnelPanel rows={funnelRows} width={width} error={chainState?.expectedError ?? null} reading={!chainState?.expected} /> : null}
          </>
        )}
        {modal && job ? <HelpBar state={job} width={width} /> : <OverviewHelpBar width={width} height={size.height} />}
      </Box>
    </ColorProvider>
  );
}
