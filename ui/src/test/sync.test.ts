import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { mockIPC } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import SyncCard from '../lib/SyncCard.svelte';
import SyncBadge from '../lib/SyncBadge.svelte';
import { nav } from '../lib/state.svelte';
import { setLang } from '../i18n/index.svelte';
import type { SyncStatus } from '../api/bindings/SyncStatus';

const off: SyncStatus = {
  url: null,
  state: 'off',
  last_synced: null,
  waiting_audits: 2,
  waiting_bundles: 0,
  refused: 0,
  last_error: null,
  next_try: null,
};

describe('online sync', () => {
  it('takes HQ’s address once, then shows each state the background sync reports', async () => {
    setLang('ru');
    const calls: [string, unknown][] = [];
    mockIPC(
      (cmd, args) => {
        calls.push([cmd, args]);
        if (cmd === 'sync_status') return off;
        if (cmd === 'set_sync_server') return { ...off, url: 'http://hq.example:8750', state: 'syncing' };
        if (cmd === 'sync_now') return { ...off, url: 'http://hq.example:8750', state: 'syncing' };
        return null;
      },
      { shouldMockEvents: true },
    );
    render(SyncCard);
    await waitFor(() => expect(screen.getByTestId('sync-state').dataset.state).toBe('off'));
    expect(screen.getByTestId('sync-state').textContent).toContain('укажите адрес сервера ЦО');
    expect(screen.getByTestId('sync-waiting').textContent).toContain('2 проверки');
    expect(screen.getByTestId('sync-waiting').textContent, 'no "0 packages"').not.toContain('0 ');
    expect((screen.getByTestId('sync-now') as HTMLButtonElement).disabled, 'no server, nothing to sync with').toBe(true);
    await fireEvent.input(screen.getByTestId('sync-url'), { target: { value: ' http://hq.example:8750 ' } });
    await fireEvent.click(screen.getByTestId('sync-save'));
    await waitFor(() => expect(screen.getByTestId('sync-state').dataset.state).toBe('syncing'));
    expect(calls.filter(([c]) => c === 'set_sync_server')).toEqual([['set_sync_server', { url: 'http://hq.example:8750' }]]);

    // The background sync reports a failure, with its reason and the next try; then success.
    await emit('sync-status', {
      ...off,
      url: 'http://hq.example:8750',
      state: 'retrying',
      waiting_bundles: 1,
      last_error: 'сервер ЦО http://hq.example:8750 недоступен или не ответил (connection refused)',
      next_try: '2026-12-02T10:15:00Z',
    });
    await waitFor(() => expect(screen.getByTestId('sync-state').dataset.state).toBe('retrying'));
    expect(screen.getByTestId('sync-state').textContent).toContain('следующая попытка');
    expect(screen.getByTestId('sync-error').textContent).toContain('недоступен');
    expect(screen.getByTestId('sync-waiting').textContent).toContain('1 пакет');
    await fireEvent.click(screen.getByTestId('sync-now'));
    expect(calls.some(([c]) => c === 'sync_now')).toBe(true);
    await emit('sync-status', { ...off, url: 'http://hq.example:8750', state: 'synced', waiting_audits: 0, last_synced: '2026-12-02T10:16:00Z' });
    await waitFor(() => expect(screen.getByTestId('sync-state').dataset.state).toBe('synced'));
    expect(screen.getByTestId('sync-state').textContent).toContain('Синхронизировано');
    expect(screen.queryByTestId('sync-error')).toBeNull();
    expect(screen.queryByTestId('sync-waiting')).toBeNull();
  });

  it('the header says whether the work has reached HQ, and opens the sync card', async () => {
    setLang('ru');
    mockIPC((cmd) => (cmd === 'sync_status' ? off : null), { shouldMockEvents: true });
    render(SyncBadge);
    const badge = () => screen.getByTestId('sync-badge');
    // No server given: the work is on this computer, and nothing says otherwise.
    await waitFor(() => expect(badge().textContent).toContain('Без сети'));
    expect(badge().tagName).toBe('SPAN');
    const at = 'http://hq.example:8750';
    await emit('sync-status', { ...off, url: at, state: 'syncing' });
    await waitFor(() => expect(badge().dataset.state).toBe('syncing'));
    expect(badge().textContent).toContain('отправка в ЦО');
    await emit('sync-status', { ...off, url: at, state: 'retrying', waiting_bundles: 1, last_error: 'в соединении отказано' });
    await waitFor(() => expect(badge().dataset.state).toBe('retrying'));
    expect(badge().textContent).toContain('в ЦО ещё не отправлено');
    expect(badge().title, 'the reason on hover').toContain('отказано');
    await emit('sync-status', { ...off, url: at, state: 'synced', waiting_audits: 0, last_synced: '2026-12-02T10:16:00Z' });
    await waitFor(() => expect(badge().dataset.state).toBe('synced'));
    expect(badge().textContent).toContain('Сохранено здесь и в ЦО');
    expect(badge().textContent).toContain('02.12.2026');
    // Synced before an audit completed since: that one is not at HQ yet.
    await emit('sync-status', { ...off, url: at, state: 'synced', waiting_audits: 1, last_synced: '2026-12-02T10:16:00Z' });
    await waitFor(() => expect(badge().textContent).toContain('ещё не отправлено'));
    await fireEvent.click(badge());
    expect(nav.screen).toBe('send');
    setLang('en');
    await waitFor(() => expect(badge().textContent).toContain('not at HQ yet'));
  });
});
