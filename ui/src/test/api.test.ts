import { describe, expect, it } from 'vitest';
import { mockIPC } from '@tauri-apps/api/mocks';
import { api, asIpcError, pickFile, pickStandardFile } from '../api';
import { setLang } from '../i18n/index.svelte';

describe('api wrappers', () => {
  it('send the command names and arguments the Rust side expects', async () => {
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      return null;
    });
    await api.saveAnswer('a1', '1.1', { response: { type: 'pass' }, note: null });
    await api.createAudit({ store_code: 'S', shift_date: '2026-11-22', shift: 'day', auditor: 'A', observed: null, standard: null });
    await api.addAction('a1', { code: '1.1', what: 'w', owner: 'o', due: '2026-11-30' });
    await api.removeAction('a1', 'act');
    await api.importStandard('/tmp/x.xlsx');
    expect(calls).toEqual([
      ['save_answer', { id: 'a1', code: '1.1', input: { response: { type: 'pass' }, note: null } }],
      ['create_audit', { audit: { store_code: 'S', shift_date: '2026-11-22', shift: 'day', auditor: 'A', observed: null, standard: null } }],
      ['add_action', { id: 'a1', action: { code: '1.1', what: 'w', owner: 'o', due: '2026-11-30' } }],
      ['remove_action', { id: 'a1', action: 'act' }],
      ['import_standard', { path: '/tmp/x.xlsx' }],
    ]);
  });

  it('turn any rejection into the one error shape', async () => {
    mockIPC(() => {
      throw { code: 'locked', message: 'audit is signed', hint: null, problems: [] };
    });
    const err = await api.loadAudit('x').catch((e: unknown) => asIpcError(e));
    expect(err).toMatchObject({ code: 'locked', message: 'audit is signed' });
    expect(asIpcError(new Error('boom'))).toMatchObject({ code: 'storage', message: 'Error: boom' });
  });

  it('name the file dialogs\' filters in the UI\'s language', async () => {
    const seen: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd.startsWith('plugin:dialog')) seen.push((args as { options: { filters: { name: string }[] } }).options.filters.map((f) => f.name));
      return null;
    });
    setLang('ru');
    await pickStandardFile('Импорт');
    await pickFile('Отчёт', 'pdf');
    await pickFile('Сертификат', 'cert');
    expect(seen).toEqual([['Стандарт (XLSX, CSV, JSON)'], ['PDF-отчёт'], ['Сертификат']]);
    setLang('en');
  });
});
