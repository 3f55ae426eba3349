import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { mockIPC } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import Import from '../screens/hq/Import.svelte';
import { setLang } from '../i18n/index.svelte';
import { workspace } from '../lib/hq/workspace.svelte';
import type { FileOutcome } from '../api/bindings/FileOutcome';
import type { ImportLine } from '../api/bindings/ImportLine';
import { workspaceInfo } from './hq-fixture';

const file = (name: string, text: string) => new File([new TextEncoder().encode(text)], name);

const added: FileOutcome = { file: 'msk-01-000003.zip', kind: 'bundle', device: 'Касса 1', added: 12, already_present: 0, followups: 0, refused: [], notes: [] };
const again: FileOutcome = {
  file: 'msk-01-000002.zip',
  kind: 'bundle',
  device: 'Касса 1',
  added: 0,
  already_present: 7, followups: 0,
  refused: [],
  notes: ['этот пакет уже был загружен'],
};
const refused: FileOutcome = {
  file: 'spb-04.zip',
  kind: 'bundle',
  device: null,
  added: 0,
  already_present: 0, followups: 0,
  refused: [{ what: 'spb-04.zip', reason: 'подпись пакета не сходится: файл изменён после подписания', hint: 'попросите магазин выгрузить пакет заново' }],
};

const logged: ImportLine = {
  file: 'msk-01-000001.zip',
  kind: 'bundle',
  device: '0193a000-0000-7000-8000-0000000000a1',
  device_name: 'Касса 1',
  sequence: 1,
  imported_at: '2026-11-20T09:00:00Z',
  added: 30,
  already_present: 0,
  refused: [],
};

describe('HQ import', () => {
  it('imports dropped files one after another and shows each verdict, then the history, the gaps and the new counts', async () => {
    setLang('ru');
    workspace.info = workspaceInfo('hq');
    const bodies: string[] = [];
    let imported = false;
    mockIPC((cmd, args) => {
      if (cmd === 'hq_import_dropped') {
        const text = new TextDecoder().decode(args as unknown as Uint8Array);
        bodies.push(text);
        imported = true;
        return { 'bundle three': added, 'bundle two': again, tampered: refused }[text];
      }
      if (cmd === 'hq_imports') return imported ? [logged, logged] : [logged];
      if (cmd === 'hq_gaps') return [{ device: 'dev-1', device_name: 'Касса 1', missing: [2], last: 3 }];
      if (cmd === 'workspace') return { ...workspaceInfo('hq'), hq: { ...workspaceInfo('hq').hq, audits: 1246 } };
      return null;
    });
    render(Import);
    await waitFor(() => expect(screen.getByTestId('hq-history').querySelectorAll('tbody tr')).toHaveLength(1));
    const device = screen.getByTestId('hq-history').querySelectorAll('tbody tr td')[3];
    expect(device.textContent, 'the device by its name').toBe('Касса 1');
    expect(device.getAttribute('title'), 'its id on hover').toBe('0193a000-0000-7000-8000-0000000000a1');
    expect(screen.getByTestId('hq-gaps').textContent).toContain('пакет 2 от устройства «Касса 1» не поступал');

    const drop = new Event('drop', { bubbles: true, cancelable: true });
    Object.defineProperty(drop, 'dataTransfer', {
      value: { files: [file('msk-01-000003.zip', 'bundle three'), file('msk-01-000002.zip', 'bundle two'), file('spb-04.zip', 'tampered')], types: ['Files'] },
    });
    screen.getByTestId('hq-drop').dispatchEvent(drop);
    expect(drop.defaultPrevented, 'the web view must not open the dropped file').toBe(true);

    await waitFor(() => expect(screen.getAllByTestId('hq-import-row').map((r) => r.dataset.state)).toEqual(['done', 'done', 'done']));
    expect(bodies, 'one request per file, in order').toEqual(['bundle three', 'bundle two', 'tampered']);
    const rows = screen.getAllByTestId('hq-import-row');
    expect(rows.map((r) => r.dataset.verdict)).toEqual(['added', 'present', 'refused']);
    expect(rows[0].textContent).toContain('добавлено 12 проверок');
    expect(rows[0].textContent).toContain('пакет синхронизации · Касса 1');
    expect(rows[1].textContent).toContain('уже были: 7');
    expect(rows[1].textContent).toContain('этот пакет уже был загружен');
    expect(rows[2].textContent).toContain('отклонён');
    expect(rows[2].textContent).toContain('подпись пакета не сходится: файл изменён после подписания');
    expect(rows[2].textContent).toContain('попросите магазин выгрузить пакет заново');
    expect(screen.getByTestId('hq-import-summary').textContent).toContain('Файлов: 3 · добавлено проверок: 12 · уже были: 7 · отклонено: 1');

    // Afterwards: the history and the counts are read again.
    await waitFor(() => expect(screen.getByTestId('hq-history').querySelectorAll('tbody tr')).toHaveLength(2));
    await waitFor(() => expect(screen.getByTestId('hq-counts').textContent).toContain('1\u00a0246 проверок'));
  });

  it('says why a dropped file was not imported when the command fails, in the UI\u2019s language', async () => {
    setLang('en');
    mockIPC((cmd) => {
      if (cmd === 'hq_import_dropped') throw { code: 'not_found', message: 'no open database', hint: 'open or create the HQ database first', problems: [] };
      if (cmd === 'hq_imports' || cmd === 'hq_gaps') return [];
      return null;
    });
    render(Import);
    await waitFor(() => expect(screen.getByTestId('hq-no-gaps')).toBeTruthy());
    await fireEvent.drop(screen.getByTestId('hq-drop'), { dataTransfer: { files: [file('a.zip', 'x')], types: ['Files'] } });
    await waitFor(() => expect(screen.getByTestId('hq-import-row').dataset.state).toBe('failed'));
    expect(screen.getByTestId('hq-import-row').textContent).toContain('not imported: no open database');
    expect(screen.getByTestId('hq-import-row').textContent).toContain('open or create the HQ database first');
  });

  it('imports chosen files in one request and shows each verdict as its event arrives', async () => {
    setLang('en');
    let finish: (v: FileOutcome[]) => void = () => {};
    const asked: unknown[] = [];
    mockIPC(
      (cmd, args) => {
        if (cmd === 'plugin:dialog|open') {
          asked.push((args as { options: { multiple: boolean; filters: { extensions: string[] }[] } }).options);
          return ['/media/usb/msk-01-000003.zip', '/media/usb/msk-01.db'];
        }
        if (cmd === 'hq_import') {
          asked.push(args);
          return new Promise((resolve) => (finish = resolve));
        }
        if (cmd === 'hq_imports' || cmd === 'hq_gaps') return [];
        return null;
      },
      { shouldMockEvents: true },
    );
    render(Import);
    await fireEvent.click(screen.getByTestId('hq-choose'));
    await waitFor(() => expect(screen.getAllByTestId('hq-import-row')).toHaveLength(2));
    expect(asked[0]).toMatchObject({ multiple: true, filters: [{ extensions: ['zip', 'db', 'pdf'] }] });
    await waitFor(() => expect(asked[1]).toEqual({ paths: ['/media/usb/msk-01-000003.zip', '/media/usb/msk-01.db'] }));
    const rows = () => screen.getAllByTestId('hq-import-row');
    expect(rows()[1].textContent, 'the kind its name suggests, before the verdict').toContain('store database');
    expect(rows()[1].textContent).toContain('waiting');

    await emit('hq-import', { index: 0, total: 2, outcome: added });
    await waitFor(() => expect(rows()[0].dataset.verdict).toBe('added'));
    expect(rows()[0].textContent).toContain('12 audits added');
    expect(rows()[1].dataset.state, 'the next file is on its way').toBe('working');

    const db: FileOutcome = { file: 'msk-01.db', kind: 'database', device: 'Касса 1', added: 0, already_present: 42, followups: 0, refused: [] };
    finish([added, db]);
    await waitFor(() => expect(rows()[1].dataset.verdict).toBe('present'));
    expect(rows()[1].textContent).toContain('already present: 42');
  });
});
