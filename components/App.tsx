import React, { useEffect, useSyncExternalStore } from 'react';
import { Box, useStdout } from 'ink';
import { useKeyInput } from './useKeyInput.js';
import { keysOf } from '../src/key-chunk.js';
import { ASKS, type Intent } from '../src/keymap.js';
import { handleJobKey } from './job-keys.js';
import type { Store } from '../src/store.js';
import { stopHeadline } from '../src/state/confirm-situation.js';
import { currentFigures } from '../src/state/current-figures.js';
import { readingText } from '../src/state/log-reading.js';
import { strangerRun } from '../src/state/writer.js';
import { runUnknown } from '../src/overview/row-problem.js';
import { ChooseGroup } from './ChooseGroup.js';
import { ConfirmBox } from './ConfirmBox.js';
import { Dashboard } from './Dashboard.js';
import { FailuresView } from './FailuresView.js';
import { Header } from './Header.js';
import { HelpBar } from './HelpBar.js';
import { HelpOverlay } from './HelpOverlay.js';
import { HistoryView } from './HistoryView.js';
import { Notices } from './Notices.js';
import { bodyHeightOf, shownNotices } from '../src/state/body-height.js';
import { SmallScreen, tooSmall } from './SmallScreen.js';
import { formatCount, formatPercent } from '../src/format.js';
import { ColorProvider } from './theme.js';
import { useFunnel, type LoneChain } from './useFunnel.js';

/** The whole dashboard: reads the store, turns keys into intents, renders the active view. */
export function App({ store, onIntent, color, chain = null, takeKeys = true }: { store: Store; onIntent: (intent: Intent) => void; color: boolean; chain?: LoneChain | null; takeKeys?: boolean }) {
  const state = useSyncExternalStore(store.subscribe, store.getState);
  const funnel = useFunnel(chain);
  const { stdout, write } = useStdout();

  useEffect(() => {
    const onResize = () => store.dispatch({ type: 'ui/resize', width: stdout.columns || 80, height: stdout.rows || 24 });
    onResize();
    // A terminal may re-wrap the rows on screen when its width changes, and Ink's erase of the last frame (so many
    // rows up) then leaves the wrapped rest on screen (tester T6): clear it all, then the next frame draws whole.
    const onResizeClear = () => {
      write('\x1b[2J\x1b[H');
      onResize();
    };
    stdout.on('resize', onResizeClear);
    return () => {
      stdout.off('resize', onResizeClear);
    };
  }, [stdout, store, write]);

  // One input event can hold many keys (a held key, a paste): each is handled in order, against the
  // state the key before it left, exactly as if typed one by one. One job of several: the overview reads the
  // keys (takeKeys false) and hands them here, so a read that switches screens is handled whole.
  useKeyInput(
    (input, key, raw) => {
      const boxBefore = store.getState().ui.confirm;
      for (const ev of keysOf(input, key, raw)) {
        const intent = handleJobKey(ev, { store, onIntent }, boxBefore);
        if (intent && ASKS.has(intent)) break;
      }
    },
    { isActive: takeKeys },
  );

  const figures = currentFigures(state);
  const width = Math.max(20, state.ui.width);
  const notices = shownNotices(state);
  const bodyHeight = bodyHeightOf(state);
  let body: React.ReactNode;
  if (state.ui.help) body = <HelpOverlay width={width} height={bodyHeight} />;
  else if (state.ui.view === 'failures') body = <FailuresView state={state} height={bodyHeight} />;
  else if (state.ui.view === 'history') body = <HistoryView state={state} height={bodyHeight} />;
  else body = <Dashboard state={state} figures={figures} height={bodyHeight} funnel={funnel} />;

  const header = (w: number) => (
    <Header job={state.job} run={state.log.current} figures={figures} external={strangerRun(state.process)} keepAwake={state.process.keepAwake ? 'awake' : state.process.keepAwakeProblem ? 'awake: unavailable' : null} stopping={stopHeadline(state.process, state.now)} width={w} now={state.now} reading={readingText(state)} unknown={runUnknown(state)} />
  );
  if (tooSmall(state.ui.width, state.ui.height)) {
    const w = Math.max(1, state.ui.width);
    return (
      <ColorProvider color={color}>
        <SmallScreen state={state} header={header(w)} run={readingText(state) === null && figures.total ? `Run ${formatCount(figures.done)}/${formatCount(figures.total)} ${formatPercent(figures.done, figures.total)}` : null} width={w} height={state.ui.height} />
      </ColorProvider>
    );
  }
  return (
    <ColorProvider color={color}>
      <Box flexDirection="column" width={width}>
        {header(width)}
        <Notices notices={notices} />
        {state.ui.confirm ? <ConfirmBox confirm={state.ui.confirm} width={width} height={bodyHeight} /> : null}
        {state.ui.choosingGroup ? <ChooseGroup groups={state.ui.choosingGroup.groups} index={state.ui.choosingGroup.index} width={width} height={bodyHeight} /> : null}
        {state.ui.confirm || state.ui.choosingGroup ? null : body}
        <HelpBar state={state} width={width} />
      </Box>
    </ColorProvider>
  );
}

