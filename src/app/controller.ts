import { withoutSourceName } from '../state/source-words.js';
import type { Config } from '../config.js';
import type { Intent } from '../keymap.js';
import type { Store } from '../store.js';
import type { Confirm } from '../state/app-state.js';
import { clockTime, STOP_GRACE_MS } from '../state/confirm-situation.js';
import { moveCursor } from '../state/cursor.js';
import { bodyHeightOf } from '../state/body-height.js';
import { historyWindow } from '../state/history-lines.js';
import { failuresView, retryGroups } from '../state/failures-view.js';
import { keysByPhase } from '../failures/analysis.js';
import { launchOffer, leaveOutSuspicious, retryOffer } from '../state/retry-offer.js';
import { limit } from '../abort.js';
import { countOf, formatCount } from '../format.js';
import { settingsWords } from '../run-place/settings-taken.js';
import { changedLaunchFields, launchSettingsKey, launchSettingsOf, takeLaunchSettings, type LaunchSettings } from '../launch/launch-settings.js';
import { lookOnce } from './look-once.js';
import type { ListTrace } from '../coverage/source.js';
import { listingProgress } from '../state/listing-progress.js';
import { expectedUnknown, failuresStillReading, whenKnown } from './when-known.js';
import { LAUNCH_BLOCKED, STOP_REFUSED, type AppState } from '../state/app-state.js';
import type { LiveSources } from './live-sources.js';
import type { RunPlace } from '../run-place/run-place.js';
import { createLocalPlace, type LocalPlace } from '../run-place/local-place.js';

export { STOP_GRACE_MS };

/**
 * What `g` says at `now` (epoch ms): the sources it started checking, and for each it did not (its last listing started
 * less than MIN_REFRESH_GAP_MS ago) when that was and from when `g` checks it again, as clock times (local time): the
 * notice stands on screen, and `checked 4 s ago, next check possible in 6 s` stood still for a minute while
 * both went false (tester AF4).
 */
export function refreshNotice(answers: ReturnType<LiveSources['refresh']>, now: number): [string, 'info', 'refresh'] {
  const started = answers.filter((a) => a.answer.started).map((a) => a.name);
  // Sources checked together are said together (`storage and warehouse checked at …`): one line at 80 columns.
  const waits = new Map<string, string[]>();
  for (const { name, answer: a } of answers) {
    if (a.started) continue;
    // The second it may check again, never before it (a refusal at 10.2 s must not name 10 s as ahead).
    const when = `${a.running ? 'check under way since' : 'checked at'} ${clockTime(now - a.agoMs)}|${clockTime(Math.ceil((now + a.nextInMs) / 1000) * 1000)}`;
    waits.set(when, [...(waits.get(when) ?? []), name]);
  }
  const waitWords = [...waits].map(([when, names]) => {
    const [since, again] = when.split('|');
    return `${names.join(' and ')} ${since}, g checks ${names.length > 1 ? 'them' : 'it'} again from ${again}`;
  });
  if (answers.length === 0) return ['no storage or warehouse to check', 'info', 'refresh'];
  const checking = started.length > 0 ? `checking ${started.join(' and ')} now…` : '';
  return [[checking, ...waitWords].filter(Boolean).join(' · '), 'info', 'refresh'];
}

export interface ControllerDeps {
  config: Config;
  store: Store;
  live: LiveSources;
  exit(): void;
  now(): number;
  signal: AbortSignal;
  /** Where the run lives when it is not a local process (a Cloud Run Job); set once its modules have loaded. */
  place?: { current: RunPlace | null };
  /** The local runs' pids, ours from their spawn on (LocalPlaceDeps.ourPids). */
  ourPids?: Set<number>;
  /** The job as the config file says it now (launch-settings.ts); none: the config as read at start stands. */
  reload?: () => Config;
}

/**
 * Acts on intents: view changes go straight to the reducer; anything that starts or stops a process
 * first opens a confirm box, and only `confirm-yes` carries it out.
 */
export function createController(deps: ControllerDeps) {
  const { config, store, live } = deps;
  const dispatch = store.dispatch;
  const notice = (text: string, tone: 'info' | 'warn' | 'fail' = 'info', key?: string) => dispatch({ type: 'ui/notice', text, tone, key });
  /** A notice of work in progress ends with the work. */
  const endNotice = (key: string) => dispatch({ type: 'ui/notice-end', key });
  const place = () => deps.place?.current ?? null;
  const refreshHistory = async () => dispatch({ type: 'process/history', runs: await active().recentRuns() });
  const local = createLocalPlace({ config, store, now: deps.now, signal: deps.signal, freshStorage: () => freshStorage(), refreshHistory, refreshWarehouse: () => live.refresh('warehouse'), ourPids: deps.ourPids });
  /** Where the run lives: the job's Cloud Run place once loaded, else the local process. The keys speak only to it. */
  const active = (): RunPlace => place() ?? local;

  /** A fresh storage listing: resume and retry must not act on a cached one. */
  async function freshStorage(forKey?: 's' | 'r'): Promise<Set<string> | null> {
    if (!live.storage) return null;
    const label = live.storage.label;
    notice(`listing ${label} for a fresh count…`, 'info', 'listing');
    const fresh = limit(60_000, deps.signal);
    // Over a second, the notice becomes a progress bar with the time taken (tester X9: 3-5 s of a still line).
    const trace: ListTrace = { asked: 0 };
    const started = deps.now();
    const tick = setInterval(() => notice(listingProgress(label, trace.progress, deps.now() - started), 'info', 'listing'), 1000);
    const keys = await lookOnce(live.storage, dispatch, deps.now, fresh.signal, 60_000, trace).finally(() => {
      clearInterval(tick);
      fresh.clear();
    });
    // For a key, say that it did nothing (tester X9: the notice alone left open whether anything was launched).
    const nothing = forKey ? `, so ${forKey} launched nothing` : '';
    if (keys === null) notice(`storage listing failed${nothing}: ${withoutSourceName('storage', store.getState().coverage.storage?.error ?? 'unknown error')}`, 'fail', 'listing');
    else endNotice('listing');
    return keys;
  }

  function launchBlocked(): string | null {
    if (config.cloudRun && !place()) return 'the Cloud Run client is still loading';
    return active().launchBlocked();
  }

  /** Runs a key's work; an error it throws becomes a notice. */
  const run = (p: Promise<unknown> | void) => void Promise.resolve(p).catch((err: Error) => notice(err.message, 'fail'));
  /**
   * The launch settings as the config file holds them now (tester AJ8: a command fixed in the file with the dashboard
   * open was not what `s` `y` ran), or null, said, when the file as it is cannot be used: its error names the file, the
   * job and the field, and nothing is launched. Without a file to read again (flags alone, a pipe), the start's.
   */
  function settingsNow(): { ok: true; settings: LaunchSettings } | { ok: false; message: string } {
    if (!deps.reload) return { ok: true, settings: launchSettingsOf(config) };
    try {
      return { ok: true, settings: launchSettingsOf(deps.reload()) };
    } catch (err) {
      // A config error's lines (`FILE: invalid config` then `  field: why`) on the notice's one line.
      return { ok: false, message: (err as Error).message.trim().replace(/\s*\n\s*/g, ' · ') };
    }
  }

  /**
   * `s`, `r`, `R`: the launch settings from the file as it is now, taken for the job (and said when they changed since
   * last taken), or false when it cannot be used (said: `s launched nothing: …`).
   */
  function takeSettingsNow(key: string): boolean {
    const now = settingsNow();
    if (!now.ok) {
      notice(`${key} launched nothing: the config as it is now cannot be used: ${now.message}`, 'fail', 'launch');
      return false;
    }
    const changed = changedLaunchFields(launchSettingsOf(config), now.settings);
    if (changed.length > 0) {
      takeLaunchSettings(config, now.settings);
      notice(`config read again: ${changed.join(', ')} changed; ${key} launches with the file as it is now`, 'info', 'config');
    }
    return true;
  }

  /** A launch box with what it will run and the settings it was asked with (the box's `y` launches only those). */
  function launchBox(c: Confirm): Confirm {
    const label = c.kind === 'retry' ? 'retry' : c.kind === 'resume' ? 'resume' : 'launch';
    const command = active().commandShown({ keys: c.keys.length > 0 ? c.keys : (c.withPersistent ?? []), workers: c.workers ?? config.workers, timeout: c.timeout ?? config.timeout, label });
    return { ...c, command, launchSettings: launchSettingsKey(launchSettingsOf(config)) };
  }

  /** A key whose wait took longer than this asks nothing by itself once ready (ms): the operator has moved on. */
  const ASK_LATE_MS = 5_000;
  /** Keys waiting for what they act on to be read: one wait per key, however often it is pressed. */
  const waiting = new Set<string>();

  /**
   * A key pressed before what it acts on is read (tester T25: `s` then blamed the config for expected keys still
   * being read) says what it waits for, and `again` asks once that is read: true when it must wait. Not asked
   * if the dashboard closed or a box or group choice opened meanwhile (a box never opens over another).
   */
  function mustWait(key: string, unknown: (s: AppState) => string | null, again: () => void): boolean {
    const why = unknown(store.getState());
    if (why === null) return false;
    const tag = `wait-${key}`;
    notice(`${why}: ${key} goes on once that is done`, 'info', tag);
    if (waiting.has(key)) return true;
    waiting.add(key);
    const pressedAt = deps.now();
    void whenKnown(store, unknown, deps.signal).then((known) => {
      waiting.delete(key);
      endNotice(tag);
      const ui = store.getState().ui;
      if (!known || ui.confirm || ui.choosingGroup) return;
      // Long after the key (a long history read), a box would come out of the blue (tester X9: `r` pressed at 1.2 s
      // opened `Retry 11,806 failed keys?` 20 s later): said instead, and the key again asks.
      const waited = deps.now() - pressedAt;
      // The key's clock time: the notice stands, and `pressed 20 s ago` would soon be false (tester AF4's class).
      if (waited > ASK_LATE_MS) return notice(`ready now: press ${key} again (pressed at ${clockTime(pressedAt)}, before what it acts on was read)`, 'info', tag);
      again();
    });
    return true;
  }

  /**
   * Why the failing keys are not known yet: the history still being read (failuresStillReading), or the failed-keys files' first read not
   * come yet. `R` in the first second said `no failures to retry` while the screen then said `failing 305` (tester AC17).
   */
  const failuresNotRead = (s: AppState): string | null => failuresStillReading(s) ?? (config.failed !== null && s.failed.fromFiles === undefined ? 'failed-keys files not read yet' : null);

  /** Why `s`, `r` or `x` cannot be answered yet: the place has not learnt what runs (and whose it is). A Cloud Run
   * client still loading is said by launchBlocked. */
  const runUnknown = () => (config.cloudRun && !place() ? null : active().notKnownYet());

  /**
   * The keys the failure rule calls persistent (failed in every run that tried them), from the view as it is now (after
   * a fresh listing), or null while that is not known (storage not listed, or none configured); and which keys fail.
   */
  function persistence(): { persistent: Set<string> | null; failing: Set<string>; phases: (keys: readonly string[]) => string | null } {
    const rows = failuresView(store.getState()).rows;
    const known = rows.some((r) => !r.recovered && r.persistentKnown);
    return { persistent: known ? new Set(rows.filter((r) => r.persistent).map((r) => r.key)) : null, failing: new Set(rows.filter((r) => !r.recovered).map((r) => r.key)), phases: keysByPhase(rows, config.phases) };
  }

  /** `s`; `all`: asked again by `a` with the persistent keys too, from a fresh listing (as `r`'s `a` is). */
  async function askResume(all = false) {
    if (mustWait('s', (s) => expectedUnknown(s, config.expected?.file ?? null) ?? runUnknown(), () => run(askResume(all)))) return;
    if (!takeSettingsNow('s')) return;
    const blocked = launchBlocked();
    if (blocked) return notice(blocked, 'warn', LAUNCH_BLOCKED);
    const pl = active();
    if (pl.keysUnsupported()) {
      return openConfirm({ kind: 'resume', keys: [], workers: config.workers, timeout: config.timeout, message: pl.keylessQuestion(config.workers, config.timeout) });
    }
    const { expected: info, expectedError } = store.getState().coverage;
    if (expectedError) return notice(`resume needs the expected keys: ${expectedError}`, 'warn');
    const expected = info?.keys;
    if (!expected) return notice('resume needs the expected keys (config `expected`)', 'warn');
    const present = await freshStorage('s');
    if (live.storage && present === null) return;
    const missing = present ? expected.filter((k) => !present.has(k)) : expected;
    if (missing.length === 0) return notice('nothing to resume: every expected key is in storage', 'info');
    // As for r: a key no keys file may hold would refuse the launch and every good key with it (tester Y10).
    const { safe: keys, note } = leaveOutSuspicious(missing);
    if (keys.length === 0) return notice(`nothing to resume: ${note}`, 'warn');
    const settings = settingsWords(pl.settingsTaken(), config.workers, config.timeout);
    // The keys that failed in every run that tried them are left out and said, as r does (tester Z7: s offered the
    // All-Star, Play-In and Playoff dates of every run without a word); `a` asks again with them.
    const { persistent, failing, phases } = persistence();
    const offer = launchOffer(keys, persistent, {
      verb: 'Launch', noun: 'key', allNoun: 'missing keys', what: '', where: pl.launchWhere(), settings, note, phases,
      after: present ? undefined : 'No storage is configured, so nothing was subtracted: these are all the expected keys.',
    }, (k) => failing.has(k), store.getState().coverage.storage !== null);
    const base = { kind: 'resume' as const, workers: config.workers, timeout: config.timeout };
    if (all) return openConfirm({ ...base, keys: offer.withPersistent ?? offer.keys, message: offer.allMessage ?? offer.message });
    openConfirm({ ...base, ...offer });
  }

  /** What the open retry box was asked for (`R`'s group), so that `a` asks again from fresh facts. */
  let retryAsked: { only?: { label: string; keys: string[] } } | null = null;

  async function askRetry(only?: { label: string; keys: string[] }, all = false) {
    if (mustWait(only ? 'R' : 'r', (s) => failuresNotRead(s) ?? runUnknown(), () => run(askRetry(only, all)))) return;
    if (!takeSettingsNow(only ? 'R' : 'r')) return;
    const blocked = launchBlocked();
    if (blocked) return notice(blocked, 'warn', LAUNCH_BLOCKED);
    const cannot = active().keysUnsupported();
    if (cannot) return notice(`cannot retry only the failed keys: ${cannot}`, 'warn');
    // With a filter on, r offers the keys the table shows (recovered ones aside), taken when r was pressed.
    const { filter } = store.getState().ui;
    const view = failuresView(store.getState());
    const failing = only ? only.keys : (filter ? view.shown : view.rows).filter((r) => !r.recovered).map((r) => r.key);
    const present = await freshStorage('r');
    if (live.storage && present === null) return;
    // Persistence from the fresh listing (the view as it is now); none known without one (storage not listed).
    const { persistent, phases } = persistence();
    const missing = failing.filter((k) => !present?.has(k));
    // No failed key at all is not "all in storage now" (tester V10: said for a job that never failed a key).
    if (!only && (filter ? view.shown : view.rows).length === 0) return notice(`nothing to retry: no key has failed${filter ? ` matching "${filter}"` : ''}`, 'info');
    if (missing.length === 0) return notice(`nothing to retry: every failed key${filter && !only ? ` matching "${filter}"` : ''} is in storage now`, 'info');
    // A suspicious key would make the keys file be refused, and every good key with it: left out, and said.
    const { safe: keys, note } = leaveOutSuspicious(missing);
    if (keys.length === 0) return notice(`nothing to retry: ${note}`, 'warn');
    const { workers, timeout } = config.retry;
    const what = only ? ` (${only.label} only)` : filter ? ` matching "${filter}" (the filtered table)` : '';
    const offer = retryOffer(keys, persistent, what, settingsWords(active().settingsTaken(), workers, timeout), note, store.getState().coverage.storage !== null, active().launchWhere(), phases);
    retryAsked = { only };
    // `a`: every failing key with the persistent ones, from this fresh listing (never the first box's list).
    if (all) return openConfirm({ kind: 'retry', workers, timeout, keys: offer.withPersistent ?? offer.keys, message: offer.allMessage ?? offer.message });
    openConfirm({ kind: 'retry', workers, timeout, ...offer });
  }

  /**
   * `a`: the same retry with the persistent keys too, asked as a box of its own; only its `y` launches (tester U15:
   * a lone `a`, typed into a box as part of a word, started a run). A new box: a `y` read with the `a` never answers it.
   */
  function onConfirmAll() {
    const c = store.getState().ui.confirm;
    if (!c?.withPersistent?.length) return;
    // Answered, so closed; the new question opens in its place (the reducer never replaces an open box), asked
    // again from a fresh listing as `r` was (W23: the second box took the first box's list, however old).
    dispatch({ type: 'ui/confirm', confirm: null });
    if (c.kind === 'retry' && retryAsked) return run(askRetry(retryAsked.only, true));
    if (c.kind === 'resume') return run(askResume(true));
    openConfirm({ kind: c.kind, keys: c.withPersistent, workers: c.workers, timeout: c.timeout, message: c.allMessage ?? `Retry all ${countOf(c.withPersistent.length, 'failed key')}?` });
  }

  function openConfirm(confirm: Confirm) {
    const launches = confirm.kind === 'launch' || confirm.kind === 'resume' || confirm.kind === 'retry';
    dispatch({ type: 'ui/confirm', confirm: launches && confirm.command === undefined ? launchBox(confirm) : confirm });
  }

  /**
   * `x`: a stop box when no stop is under way; while one is, the stage it is in and when the next comes;
   * once SIGINT and SIGTERM were both ignored, the SIGKILL question as a box of its own (the place says which).
   */
  function askStop() {
    if (mustWait('x', runUnknown, askStop)) return;
    const q = active().stopQuestion();
    // Keyed: `no run of ours is running` goes once a run of ours is live (reducer), never stays above its stop box.
    if (!q.ok) return notice(q.message, q.tone, q.key ?? STOP_REFUSED);
    openConfirm({ kind: q.kind, keys: [], workers: null, timeout: null, message: q.message });
  }

  /**
   * Why R's groups cannot be counted yet: its failures not read, or storage not listed yet (the groups leave out keys
   * storage holds: before its first listing R offered `error HTTP 500: 215 keys` where there were 12; tester AC17).
   * A listing that failed is no reason to wait: the groups then count every failing key, as the box says.
   */
  const groupsNotKnown = (s: AppState): string | null => failuresNotRead(s) ?? (s.coverage.storage && s.coverage.storage.keys === null && !s.coverage.storage.error ? 'storage not listed yet' : null);

  /** `R`: the groups to choose from, once every failure is known. */
  function askGroup() {
    if (mustWait('R', groupsNotKnown, askGroup)) return;
    const groups = retryGroups(store.getState());
    if (groups.length === 0) return notice('no failures to retry', 'info');
    dispatch({ type: 'ui/choose-group', choice: { groups, index: 0 } });
  }

  async function doLaunch(c: Confirm) {
    const label = c.kind === 'retry' ? 'retry' : c.kind === 'resume' ? 'resume' : 'launch';
    notice(launchNotice(c.keys.length), 'info', 'launch');
    const out = await active().launch({ keys: c.keys, workers: c.workers ?? config.workers, timeout: c.timeout ?? config.timeout, label });
    out.notices.forEach((n) => notice(n, 'warn'));
    // The launch's progress notice ends; the run's own notice is replaced by its end (keyed by the run: U16).
    if (out.ok) {
      dispatch({ type: 'ui/notice-end', key: 'launch' });
      notice(launchNotice(c.keys.length, out), 'info', `run:${out.runId}`);
    }
    else notice(out.message, 'fail', 'launch');
    await refreshHistory();
  }

  /** The work of answered boxes still under way. */
  const inFlight = new Set<Promise<unknown>>();
  function answered<T>(work: Promise<T>): Promise<T> {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work)).catch(() => undefined);
    return work;
  }

  async function onConfirmYes() {
    const c = store.getState().ui.confirm;
    if (!c) return;
    dispatch({ type: 'ui/confirm', confirm: null });
    if (c.kind === 'stop' || c.kind === 'kill') {
      const id = store.getState().process.runId;
      const r = await (c.kind === 'stop' ? active().stop() : active().kill());
      // About this run (`cancel sent to execution …`): it goes when another run begins (tester W23).
      if (r.message) notice(r.message, r.ok === true ? 'info' : r.ok === 'needs-kill' ? 'warn' : 'fail', id ? `run:${id}` : undefined);
      return;
    }
    // The file as it is at `y`: launched only when it still says what the box showed (a box never changes while open).
    const now = settingsNow();
    if (!now.ok) return notice(`Nothing was done: the config as it is now cannot be used: ${now.message}`, 'fail', 'launch');
    if (c.launchSettings !== undefined && launchSettingsKey(now.settings) !== c.launchSettings) {
      const changed = changedLaunchFields(launchSettingsOf(config), now.settings);
      return notice(`Nothing was done: the config's ${changed.join(', ') || 'launch settings'} changed while the box was open: ${c.kind === 'retry' ? 'r' : 's'} asks again with it`, 'warn', 'launch');
    }
    return doLaunch(c);
  }

  function onIntent(intent: Intent): void {
    const s = store.getState();
    switch (intent) {
      case 'quit':
        return deps.exit();
      case 'suspend':
        // Done already on the terminal's raw read (src/app/suspend.ts), before any key of the read was handled.
        return;
      case 'help':
        return dispatch({ type: 'ui/help' });
      case 'view-failures':
        return dispatch({ type: 'ui/view', view: 'failures' });
      case 'view-history':
        run(refreshHistory());
        return dispatch({ type: 'ui/view', view: 'history' });
      case 'view-dashboard':
        return dispatch({ type: 'ui/view', view: 'dashboard' });
      case 'filter':
        return dispatch({ type: 'ui/filter-start' });
      case 'filter-done':
        return dispatch({ type: 'ui/filter-end', keep: true });
      case 'filter-cancel':
        return dispatch({ type: 'ui/filter-end', keep: false });
      case 'cursor-up':
      case 'cursor-down':
      case 'page-up':
      case 'page-down': {
        const up = intent === 'cursor-up' || intent === 'page-up';
        const page = intent === 'page-up' || intent === 'page-down';
        if (s.ui.view === 'history') {
          // Kept within the lines, so the first key back up moves at once.
          const w = historyWindow(s);
          const top = Math.max(0, Math.min(w.total - w.rows, w.top + (up ? -1 : 1) * (page ? Math.max(1, w.rows - 1) : 1)));
          return dispatch({ type: 'ui/history-top', top });
        }
        // A page of the failures table: about the rows it shows at this height.
        const step = page ? Math.max(1, bodyHeightOf(s) - 10) : 1;
        return dispatch({ type: 'ui/cursor', key: moveCursor(failuresView(s).shown, s.ui.cursorKey, up ? -step : step) });
      }
      case 'list-top':
      case 'list-bottom': {
        // Home/End (tester U10): the history's top or its end, the failures table's first or last row.
        const top = intent === 'list-top';
        if (s.ui.view === 'history') {
          const w = historyWindow(s);
          return dispatch({ type: 'ui/history-top', top: top ? 0 : Math.max(0, w.total - w.rows) });
        }
        const rows = failuresView(s).shown;
        return dispatch({ type: 'ui/cursor', key: rows.length ? rows[top ? 0 : rows.length - 1].key : null });
      }
      case 'refresh':
        return notice(...refreshNotice(live.refresh(), deps.now()));
      case 'resume':
        return run(askResume());
      case 'retry':
        return run(askRetry());
      case 'retry-group':
        return askGroup();
      case 'choose-up':
      case 'choose-down': {
        const c = s.ui.choosingGroup;
        if (!c) return;
        const index = Math.max(0, Math.min(c.groups.length - 1, c.index + (intent === 'choose-up' ? -1 : 1)));
        return dispatch({ type: 'ui/choose-group', choice: { ...c, index } });
      }
      case 'choose-pick': {
        const c = s.ui.choosingGroup;
        if (!c) return;
        dispatch({ type: 'ui/choose-group', choice: null });
        return run(askRetry(c.groups[c.index]));
      }
      case 'stop':
        return askStop();
      case 'confirm-yes':
        return run(answered(onConfirmYes()));
      case 'confirm-all':
        return onConfirmAll();
      case 'confirm-no':
        dispatch({ type: 'ui/choose-group', choice: null });
        return dispatch({ type: 'ui/confirm', confirm: null });
    }
  }

  /** Re-attaches to a recorded run of ours that is still alive (its pid and start time both match). */
  const attach: LocalPlace['attach'] = (patch) => local.attach(patch);
  /** Runs recorded as launched whose process is gone with no end record: they ended while no dashboard watched. */
  const noteEndedUnseen = () => local.noteEndedUnseen();

  /**
   * Resolves once every answered `y` has done its work (a launch spawned or refused, a stop sent): leaving waits
   * for it, so `y` then `q` together launch as `y`, wait, `q` would (tester X9: `yq` in one read dropped the y).
   */
  const settled = async () => {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  };
  /** Leaving: a stop under way is handed on, never dropped (tester Y9); called after `settled`. */
  const handOff = () => local.handOffStop();
  /** Another dashboard's stop of the run watched, recorded in runs.jsonl: shown and carried on here (tester AG1). */
  const takeRecordedStop = () => local.takeRecordedStop();
  return { onIntent, attach, noteEndedUnseen, settled, handOff, takeRecordedStop };
}

/**
 * A launch's notices: `launching 66 keys…`, then `launched run ID: pid 8617, 66 keys`. A command that takes no keys
 * (it chooses its own, keyCount 0) is `launching…`, then `…: pid 8617, starting (the command chooses its keys)`:
 * no count until its log says one (AJ5 i: `pid 8617, 0 keys` for a run about to scrape hundreds).
 */
export function launchNotice(keyCount: number, launched?: { runId: string; what: string; suffix?: string }): string {
  const keys = keyCount > 0 ? countOf(keyCount, 'key') : null;
  if (!launched) return keys ? `launching ${keys}…` : 'launching…';
  return `launched run ${launched.runId}: ${launched.what}, ${keys ?? 'starting (the command chooses its keys)'}${launched.suffix ?? ''}`;
}
