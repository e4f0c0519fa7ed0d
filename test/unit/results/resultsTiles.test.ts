// A dashboard in one results panel: a result per tile, the tile picker's states posted to the
// webview, the picked tile's phase shown (rows served from that tile only), text tiles as text,
// Cancel all and a single result after the dashboard clearing the picker.
import * as assert from 'node:assert/strict';
import { MemoryLogSink, RedactingLogger } from '../../../src/core/logger';
import { ResultsController, type ResultsHostUi } from '../../../src/results/resultsController';
import { validateHostMessage, validateWebviewMessage, type HostMessage } from '../../../src/results/resultsProtocol';
import { createArraySource } from '../../../src/results/sources';
import type { ResultColumn } from '../../../src/results/types';
import { until } from '../support/wait';

function setup() {
  const received: HostMessage[] = [];
  let listener: ((raw: unknown) => void) | undefined;
  const port = {
    postMessage: (m: HostMessage) => {
      const checked = validateHostMessage(structuredClone(m));
      assert.ok(checked.ok, `the host posted an invalid message: ${checked.ok ? '' : checked.error}`);
      received.push(checked.message);
    },
    onDidReceiveMessage: (l: (raw: unknown) => void) => {
      listener = l;
      return { dispose: () => (listener = undefined) };
    },
  };
  const ui: ResultsHostUi = {
    writeClipboard: async () => undefined,
    pickExportPath: async () => undefined,
    withExportProgress: (_t, task) => task(() => undefined, new AbortController().signal),
    exportFinished: () => undefined,
    openExternal: () => undefined,
    showWarning: () => undefined,
  };
  const controller = new ResultsController(port, ui, new RedactingLogger(new MemoryLogSink()), () => ({ escapeFormulasInCsv: true, maxCachedRows: 1_000 }));
  const send = (raw: unknown) => listener?.(raw);
  const last = <T extends HostMessage['type']>(type: T) => received.filter((m): m is Extract<HostMessage, { type: T }> => m.type === type).at(-1);
  return { controller, received, send, last };
}

const COLUMNS: ResultColumn[] = [{ name: 'status', type: 'STRING', mode: 'NULLABLE' }];

describe('results panel: a dashboard as its tiles', () => {
  it('shows the picked tile, posts every tile’s state, and serves rows from the picked tile only', async () => {
    const { controller, received, send, last } = setup();
    send({ type: 'ready', version: 1 });
    const panel = controller.openTiles({ title: 'Sales overview', origin: 'Looker · test' }, [{ title: 'By status' }, { title: 'By day' }, { title: 'About' }]);
    assert.deepEqual(last('tiles'), { type: 'tiles', title: 'Sales overview', tiles: [{ title: 'By status', state: 'queued' }, { title: 'By day', state: 'queued' }, { title: 'About', state: 'queued' }], active: 0 });
    const [a, b, about] = panel.tiles;
    a.setRunning('Running tile');
    b.setResult(createArraySource(COLUMNS, [['day-1'], ['day-2']], 10));
    about.setText('<b>plain</b>');
    a.setError('Looker had an internal problem.');
    assert.deepEqual(last('tiles')?.tiles.map((t) => `${t.title}:${t.state}${t.rows !== undefined ? `:${t.rows}` : ''}`), ['By status:failed', 'By day:succeeded:2', 'About:text']);
    assert.equal(last('error')?.message, 'Looker had an internal problem.', 'the picked tile is the failed one');
    assert.equal(received.filter((m) => m.type === 'init').length, 0, 'another tile’s result is not shown over the picked one');

    send({ type: 'selectTile', index: 1 });
    assert.equal(received.at(-1)?.type, 'init');
    assert.equal(last('tiles')?.active, 1);
    send({ type: 'requestRows', requestId: 4, start: 0, count: 2 });
    const rows = await until('rows of the picked tile', () => last('rows'), 2_000, { intervalMs: 5 });
    assert.deepEqual(rows.rows, [['day-1'], ['day-2']]);

    send({ type: 'selectTile', index: 2 });
    assert.deepEqual(received.at(-1), { type: 'text', title: 'About', origin: 'Looker · test', text: '<b>plain</b>' });
    send({ type: 'selectTile', index: 9 });
    assert.equal(last('tiles')?.active, 2, 'a tile that does not exist is ignored');
    controller.dispose();
  });

  it('fires Cancel all for the whole dashboard, and a queued tile’s own cancel for that tile', () => {
    const { controller, send } = setup();
    send({ type: 'ready', version: 1 });
    const panel = controller.openTiles({ title: 'D', origin: 'o' }, [{ title: 'one' }, { title: 'two' }]);
    const events: string[] = [];
    panel.onDidRequestCancel(() => events.push('all'));
    panel.tiles[0].onDidRequestCancel(() => events.push('one'));
    panel.tiles[1].onDidRequestCancel(() => events.push('two'));
    send({ type: 'cancel' });
    send({ type: 'cancelTiles' });
    assert.deepEqual(events, ['one', 'all']);
    controller.dispose();
  });

  it('closes every tile when a single result replaces the dashboard, and clears the picker', () => {
    const { controller, send, last } = setup();
    send({ type: 'ready', version: 1 });
    const panel = controller.openTiles({ title: 'D', origin: 'o' }, [{ title: 'one' }, { title: 'two' }]);
    const closed: string[] = [];
    panel.onDidDispose(() => closed.push('dashboard'));
    panel.tiles.forEach((t, i) => t.onDidDispose(() => closed.push(`tile ${i}`)));
    controller.open({ title: 'q', origin: 'BigQuery' });
    assert.deepEqual(closed.sort(), ['dashboard', 'tile 0', 'tile 1']);
    assert.deepEqual(last('tiles')?.tiles, []);
    assert.equal(panel.visible, false);
    controller.dispose();
  });

  it('accepts only in-range tile messages from the webview', () => {
    assert.ok(validateWebviewMessage({ type: 'selectTile', index: 3 }).ok);
    assert.equal(validateWebviewMessage({ type: 'selectTile', index: -1 }).ok, false);
    assert.equal(validateWebviewMessage({ type: 'selectTile', index: '1' }).ok, false);
    assert.equal(validateWebviewMessage({ type: 'cancelTiles', all: true }).ok, false);
    assert.equal(validateHostMessage({ type: 'tiles', title: 't', tiles: [{ title: 'x', state: 'exploded' }], active: 0 }).ok, false);
  });
});
