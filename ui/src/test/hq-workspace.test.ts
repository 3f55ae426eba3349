import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { mockIPC } from '@tauri-apps/api/mocks';
import App from '../App.svelte';
import { setLang } from '../i18n/index.svelte';
import { errors, nav } from '../lib/state.svelte';
import { resetBoard, workspace } from '../lib/hq/workspace.svelte';
import type { Filter } from '../api/bindings/Filter';
import type { Lang } from '../api/bindings/Lang';
import type { WorkspaceInfo } from '../api/bindings/WorkspaceInfo';
import { auditView, dashboard, defaultFilter, drill, intact, options, workspaceInfo } from './hq-fixture';

type Asked = [string, unknown];

/** The whole backend the app talks to at start, in either workspace. */
function mockApp(asked: Asked[], start: WorkspaceInfo, extra: (cmd: string, args: unknown) => unknown = () => undefined) {
  mockIPC((cmd, args) => {
    asked.push([cmd, args]);
    const answer = extra(cmd, args);
    if (answer !== undefined) return answer;
    if (cmd === 'workspace') return start;
    if (cmd === 'set_workspace') return workspaceInfo((args as { mode: 'store' | 'hq' }).mode);
    if (cmd === 'list_audits' || cmd === 'list_standards') return [];
    if (cmd === 'hq_options') return options();
    if (cmd === 'hq_dashboard') return dashboard((args as { filter: Filter }).filter);
    if (cmd === 'hq_drill') return drill();
    if (cmd === 'hq_audit') return auditView();
    if (cmd === 'hq_verify') return intact();
    return null;
  });
}

const ids = (selector: string) => Array.from(document.querySelectorAll(`nav ${selector}`)).map((b) => (b as HTMLElement).dataset.testid);

// The app loads the HQ screens when first shown; load them once here, so no test waits on it.
beforeAll(async () => {
  await import('../screens/hq');
}, 30_000);

beforeEach(() => {
  resetBoard();
  workspace.info = null;
  workspace.connecting = false;
  errors.current = null;
});

describe('the workspace switch', () => {
  it('starts in the remembered workspace and swaps the store\u2019s nav for HQ\u2019s, and back', async () => {
    setLang('ru');
    const asked: Asked[] = [];
    mockApp(asked, workspaceInfo('store'));
    render(App);
    await waitFor(() => expect(ids('button')).toContain('nav-audits'));
    expect(asked.slice(0, 2).map(([c]) => c), 'the language first, so messages come in it').toEqual(['set_lang', 'workspace']);
    expect(screen.getByTestId('ws-store').getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByTestId('ws-store').textContent).toBe('Магазин');
    expect(screen.getByTestId('ws-hq').textContent).toBe('ЦО');

    await fireEvent.click(screen.getByTestId('ws-hq'));
    await waitFor(() => expect(ids('button')).toEqual(['nav-hq-dashboard', 'nav-hq-import']));
    expect(asked.filter(([c]) => c === 'set_workspace')).toEqual([['set_workspace', { mode: 'hq' }]]);
    expect(screen.getByTestId('nav-hq-dashboard').textContent).toBe('Обзор');
    expect(screen.getByTestId('nav-hq-import').textContent).toBe('Загрузка');
    // Which HQ database is open: its name, the whole path on hover.
    const db = screen.getByTestId('hq-db').querySelector('.hq-db-name') as HTMLElement;
    expect(db.textContent).toBe('hq.db');
    expect(db.title).toBe('База ЦО: /home/qa/StoreCheck/hq.db');
    await waitFor(() => expect(screen.getByTestId('hq-headline-audits')).toBeTruthy());

    await fireEvent.click(screen.getByTestId('nav-hq-import'));
    await waitFor(() => expect(screen.getByTestId('hq-drop')).toBeTruthy());

    await fireEvent.click(screen.getByTestId('ws-store'));
    await waitFor(() => expect(ids('button')).toContain('nav-audits'));
    expect(asked.filter(([c]) => c === 'set_workspace').map(([, a]) => a)).toEqual([{ mode: 'hq' }, { mode: 'store' }]);
    expect(screen.queryByTestId('nav-hq-dashboard')).toBeNull();
    expect(screen.queryByTestId('hq-db')).toBeNull();
  });

  it('shows why the HQ database could not be opened, in the UI\u2019s language, with the ways out', async () => {
    setLang('ru');
    const asked: Asked[] = [];
    const broken = (lang: Lang): WorkspaceInfo => ({
      ...workspaceInfo('hq'),
      hq: null,
      error: {
        code: 'storage',
        message: lang === 'ru' ? 'файл /home/qa/StoreCheck/hq.db — не база ЦО StoreCheck' : 'the file /home/qa/StoreCheck/hq.db is not a StoreCheck HQ database',
        hint: lang === 'ru' ? 'откройте другой файл или создайте новую базу' : 'open another file or create a new database',
        problems: [],
      },
    });
    let lang: Lang = 'ru';
    mockApp(asked, broken('ru'), (cmd, args) => {
      if (cmd === 'set_lang') lang = (args as { lang: Lang }).lang;
      if (cmd === 'workspace') return broken(lang);
      if (cmd === 'plugin:dialog|open') return '/home/qa/другая.db';
      if (cmd === 'hq_open') return { ...workspaceInfo('hq'), hq_path: '/home/qa/другая.db', hq: { ...workspaceInfo('hq').hq, path: '/home/qa/другая.db' } };
      return undefined;
    });
    render(App);
    await waitFor(() => expect(screen.getByTestId('hq-db-error')).toBeTruthy());
    const card = () => screen.getByTestId('hq-db-error').textContent ?? '';
    expect(card()).toContain('Не удалось открыть базу ЦО');
    expect(card()).toContain('не база ЦО StoreCheck');
    expect(card()).toContain('откройте другой файл или создайте новую базу');
    expect(ids('button'), 'the HQ nav, never a blank screen').toEqual(['nav-hq-dashboard', 'nav-hq-import']);

    await fireEvent.click(screen.getByTestId('lang-en'));
    await waitFor(() => expect(card()).toContain('is not a StoreCheck HQ database'));
    expect(card()).toContain('The HQ database could not be opened');
    expect(card()).toContain('open another file or create a new database');

    // Open… another file.
    await fireEvent.click(screen.getByTestId('hq-db-card-open'));
    await waitFor(() => expect(asked.find(([c]) => c === 'hq_open')?.[1]).toEqual({ path: '/home/qa/другая.db' }));
    await waitFor(() => expect(screen.queryByTestId('hq-db-error')).toBeNull());
    expect(screen.getByTestId('hq-db').textContent).toContain('другая.db');
  });

  it('connects to HQ\u2019s PostgreSQL database by its address, and says why when it cannot', async () => {
    setLang('ru');
    workspace.connecting = false;
    const asked: Asked[] = [];
    const url = 'postgres://analyst:secret@db.chain.example/hq';
    let reachable = false;
    mockApp(asked, workspaceInfo('hq'), (cmd) => {
      if (cmd !== 'hq_open') return undefined;
      if (!reachable) {
        return {
          ...workspaceInfo('hq'),
          hq_path: 'postgres://analyst@db.chain.example/hq',
          hq: null,
          error: {
            code: 'storage',
            message: 'не удалось подключиться к базе ЦО postgres://analyst@db.chain.example/hq: error connecting to server: Connection refused (os error 111)',
            hint: 'проверьте, что PostgreSQL там запущен и что адрес, пользователь, пароль и база указаны верно',
            problems: [],
          },
        };
      }
      const shown = 'postgres://analyst@db.chain.example/hq';
      return { ...workspaceInfo('hq'), hq_path: shown, hq: { ...workspaceInfo('hq').hq, path: shown } };
    });
    render(App);
    await waitFor(() => expect(screen.getByTestId('hq-headline-audits')).toBeTruthy());
    // From the open HQ database: PostgreSQL… shows the form, with a way back.
    await fireEvent.click(screen.getByTestId('hq-db-postgres'));
    await waitFor(() => expect(screen.getByTestId('hq-db-pg')).toBeTruthy());
    expect(screen.getByTestId('hq-db-pg').textContent).toContain('Или подключитесь к базе ЦО в PostgreSQL');
    const connect = screen.getByTestId('hq-db-pg-connect') as HTMLButtonElement;
    expect(connect.disabled, 'nothing to connect to yet').toBe(true);
    await fireEvent.input(screen.getByTestId('hq-db-pg-url'), { target: { value: `  ${url} ` } });
    expect(connect.disabled).toBe(false);
    await fireEvent.click(connect);
    await waitFor(() => expect(asked.filter(([c]) => c === 'hq_open').map(([, a]) => a)).toEqual([{ path: url }]));
    // Not reachable: the reason and what to check, the address without its password.
    await waitFor(() => expect(screen.getByTestId('hq-db-error').textContent).toContain('не удалось подключиться к базе ЦО'));
    const card = screen.getByTestId('hq-db-error').textContent ?? '';
    expect(card).toContain('проверьте, что PostgreSQL там запущен');
    expect(card).not.toContain('secret');
    // Reachable: the overview of that database, named «hq @ db.chain.example» in the header.
    reachable = true;
    await waitFor(() => expect((screen.getByTestId('hq-db-pg-connect') as HTMLButtonElement).disabled, 'once the first try is done').toBe(false));
    await fireEvent.click(screen.getByTestId('hq-db-pg-connect'));
    await waitFor(() => expect(asked.filter(([c]) => c === 'hq_open')).toHaveLength(2));
    await waitFor(() => expect(screen.queryByTestId('hq-db-error')).toBeNull());
    const name = screen.getByTestId('hq-db').querySelector('.hq-db-name') as HTMLElement;
    expect(name.textContent).toBe('hq @ db.chain.example');
    expect(name.title).toBe('База ЦО: postgres://analyst@db.chain.example/hq');
  });

  it('shows a failed HQ command\u2019s message as it comes, in the UI\u2019s language', async () => {
    setLang('ru');
    const asked: Asked[] = [];
    mockApp(asked, workspaceInfo('hq'), (cmd) => {
      if (cmd === 'hq_dashboard') throw { code: 'invalid_input', message: 'период задан неверно: 2026-13-01', hint: 'даты пишутся как ГГГГ-ММ-ДД', problems: [] };
      return undefined;
    });
    render(App);
    await waitFor(() => expect(screen.getByTestId('error-banner')).toBeTruthy());
    expect(screen.getByTestId('error-banner').textContent).toContain('период задан неверно: 2026-13-01');
    expect(screen.getByTestId('error-banner').textContent).toContain('даты пишутся как ГГГГ-ММ-ДД');
    expect(screen.getByTestId('error-banner').textContent).toContain('Закрыть');
  });

  it('comes back from an audit to the overview with its filter and drill-down as they were', async () => {
    setLang('en');
    const asked: Asked[] = [];
    mockApp(asked, workspaceInfo('hq'));
    render(App);
    await waitFor(() => expect(screen.getAllByTestId('hq-heat-cell').length).toBeGreaterThan(0));
    await fireEvent.click(screen.getByTestId('hq-preset-week'));
    const week = { ...defaultFilter(), from: '2026-11-14' };
    await waitFor(() => expect(asked.filter(([c]) => c === 'hq_dashboard').pop()?.[1]).toEqual({ filter: week }));

    await fireEvent.click(screen.getAllByTestId('hq-heat-cell')[0]);
    await waitFor(() => expect(screen.getAllByTestId('hq-drill-row')).toHaveLength(3));
    await fireEvent.click(screen.getAllByTestId('hq-drill-row')[2]);
    await waitFor(() => expect(screen.getByTestId('hq-audit-verdict').dataset.valid).toBe('true'));
    expect(nav.audit).toBe('audit-3');
    expect(asked.filter(([c]) => c === 'hq_audit')).toEqual([['hq_audit', { id: 'audit-3' }]]);
    expect(screen.queryByTestId('hq-drill')).toBeNull();

    await fireEvent.click(screen.getByTestId('hq-audit-back'));
    await waitFor(() => expect(screen.getAllByTestId('hq-drill-row')).toHaveLength(3));
    expect(screen.getByTestId('hq-preset-week').getAttribute('aria-pressed')).toBe('true');
    expect(asked.filter(([c]) => c === 'hq_dashboard').pop()?.[1], 'the same filter').toEqual({ filter: week });
    expect(asked.filter(([c]) => c === 'hq_drill'), 'the drill-down kept, not asked again').toHaveLength(1);
    // Escape closes it.
    await fireEvent.keyDown(window, { key: 'Escape' });
    expect(screen.queryByTestId('hq-drill')).toBeNull();
  });
});
