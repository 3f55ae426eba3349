import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { mockIPC } from '@tauri-apps/api/mocks';
import Send from '../screens/Send.svelte';
import { setLang } from '../i18n/index.svelte';
import type { AuditSummary } from '../api/bindings/AuditSummary';
import type { Outbox } from '../api/bindings/Outbox';

function audit(id: string, status: 'completed' | 'signed', lastSent: string | null): AuditSummary {
  return {
    id,
    store_code: 'MSK-01',
    store_name: 'Тверская, 12',
    shift_date: '2026-11-22',
    shift: 'opening',
    auditor: 'Анна Смирнова',
    standard_code: 'DEMO-FASHION',
    standard_version: '1',
    status,
    score: 93.9,
    rating: 'excellent',
    answered: 61,
    total: 61,
    updated_at: '2026-11-22T18:05:00.000Z',
    last_sent: lastSent,
    to_send: true,
  };
}

const firstBundle = {
  id: 'b1',
  sequence: 1,
  file_name: 'storecheck-01a233a3-000001.zip',
  folder: '/media/usb',
  manifest_sha256: 'a'.repeat(64),
  audits: 1,
  photos: 3,
  bytes: 489512,
  created_at: '2026-11-21T18:00:00.000Z',
};

describe('send to HQ', () => {
  it('lists what the next bundle carries, saves it where the person chooses, and shows it in the history', async () => {
    setLang('ru');
    let outbox: Outbox = {
      to_send: [audit('a1', 'signed', null), audit('a2', 'completed', '2026-11-21T18:00:00.000Z')],
      bundles: [firstBundle],
      drafts: 1,
    };
    const asked: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === 'sync_outbox') return outbox;
      if (cmd.startsWith('plugin:dialog')) {
        asked.push(['dialog', (args as { options: { directory: boolean } }).options.directory]);
        return '/media/usb2';
      }
      if (cmd === 'export_bundle') {
        asked.push([cmd, args]);
        outbox = {
          to_send: [],
          bundles: [{ ...firstBundle, id: 'b2', sequence: 2, file_name: 'storecheck-01a233a3-000002.zip', audits: 2 }, firstBundle],
          drafts: 1,
        };
        return { file: '/media/usb/storecheck-01a233a3-000002.zip', audits: 2, photos: 3, bytes: 1_200_000, sequence: 2, missing_photos: [] };
      }
      return null;
    });
    render(Send);
    await waitFor(() => expect(screen.getAllByTestId('send-row')).toHaveLength(2));
    expect(screen.getAllByTestId('send-row')[1].textContent, 'an audit changed since it was sent says so').toContain('изменена после отправки');
    expect(screen.getByTestId('send-drafts').textContent).toBe('1 черновик остаётся на компьютере до завершения');
    // The folder of the last bundle is offered again (the same stick); Choose… picks another.
    expect((screen.getByTestId('send-folder') as HTMLInputElement).value).toBe('/media/usb');
    await fireEvent.click(screen.getByTestId('send-choose'));
    const button = screen.getByTestId('send-bundle');
    expect(button.textContent?.trim()).toBe('Сохранить пакет');
    await waitFor(() => expect(asked).toHaveLength(1));
    await fireEvent.click(button);
    await waitFor(() => expect(screen.getByTestId('send-written').textContent).toContain('Пакет 2 сохранён'));
    expect(asked).toEqual([
      ['dialog', true],
      ['export_bundle', { folder: '/media/usb2', all: false }],
    ]);
    const written = screen.getByTestId('send-written').textContent ?? '';
    expect(written).toContain('/media/usb/storecheck-01a233a3-000002.zip');
    expect(written).toContain('2 проверки');
    expect(written).toContain('3 фото');
    await waitFor(() => expect(screen.getByTestId('send-nothing').textContent).toContain('Нового для отправки нет'));
    expect(screen.getByTestId('send-history').querySelectorAll('tbody tr')).toHaveLength(2);
  });

  it('with nothing new, saves only when asked to send everything again', async () => {
    setLang('en');
    mockIPC((cmd) => (cmd === 'sync_outbox' ? { to_send: [], bundles: [firstBundle], drafts: 0 } : null));
    render(Send);
    await waitFor(() => expect(screen.getByTestId('send-nothing')).toBeTruthy());
    const button = screen.getByTestId('send-bundle') as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    await fireEvent.click(screen.getByTestId('send-all'));
    expect(button.disabled).toBe(false);
    expect(screen.queryByTestId('send-drafts')).toBeNull();
  });
});
