import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { mockIPC } from '@tauri-apps/api/mocks';
import FromHq from '../lib/FromHq.svelte';
import { setLang } from '../i18n/index.svelte';
import type { PackagePreview } from '../api/bindings/PackagePreview';
import type { Received } from '../api/bindings/Received';
import type { InstalledPackage } from '../api/bindings/InstalledPackage';

const fingerprint = 'f14794e9e673a45f4fe3ae69834d86fff697f7490ecb64a67afb80be2a682f23';

const preview: PackagePreview = {
  chain: 'Ромашка',
  sequence: 1,
  fingerprint,
  made_at: '2026-12-01T09:00:00Z',
  standards: ['DEMO-FASHION v2'],
  stores: 312,
  certificates: 2,
  first: true,
  refused: null,
};

const received: Received = {
  chain: 'Ромашка',
  server_url: null,
  sequence: 1,
  fingerprint,
  pinned: true,
  already: false,
  standards_added: ['DEMO-FASHION v2'],
  stores_added: 310,
  stores_changed: 2,
  certificates: [{ auditor: 'Анна Смирнова', store: 'MSK-01', serial: 'ab12', not_after: '2029-12-01T09:00:00Z' }],
};

const stores = [
  { id: 's1', code: 'MSK-01', name: 'Тверская, 12', region: 'Москва' },
  { id: 's2', code: 'SPB-02', name: 'Невский, 48', region: 'Санкт-Петербург' },
];

describe('receive from HQ', () => {
  it('shows the first package with its CA fingerprint and installs it only once the person confirms it', async () => {
    setLang('ru');
    const calls: [string, unknown][] = [];
    let installed: InstalledPackage | null = null;
    mockIPC((cmd, args) => {
      if (cmd === 'installed_package') return installed;
      if (cmd === 'list_stores') return stores;
      if (cmd.startsWith('plugin:dialog')) return '/media/usb/hq-package-1.zip';
      calls.push([cmd, args]);
      if (cmd === 'preview_package') return preview;
      if (cmd === 'receive_package') {
        installed = { sequence: 1, chain: 'Ромашка', fingerprint, made_at: preview.made_at, installed_at: '2026-12-02T10:00:00Z' };
        return received;
      }
      return null;
    });
    render(FromHq);
    await waitFor(() => expect(screen.getByTestId('from-hq-installed').textContent).toContain('Пакет ЦО ещё не устанавливали'));
    await fireEvent.click(screen.getByTestId('from-hq-pick'));
    await waitFor(() => expect(screen.getByTestId('from-hq-preview').textContent).toContain('Пакет № 1 сети «Ромашка»'));
    const shown = screen.getByTestId('from-hq-preview').textContent ?? '';
    expect(shown).toContain('312 магазинов в списке');
    expect(shown).toContain('2 сертификата проверяющих');
    // The fingerprint in groups of four, as HQ reads it out.
    const groups = [...screen.getByTestId('from-hq-fingerprint').querySelectorAll('span')].map((s) => s.textContent);
    expect(groups).toHaveLength(16);
    expect(groups[0]).toBe('F147');
    expect(groups[15]).toBe('2F23');
    const install = screen.getByTestId('from-hq-install') as HTMLButtonElement;
    expect(install.disabled, 'not before the fingerprint is confirmed').toBe(true);
    await fireEvent.click(screen.getByTestId('from-hq-confirm'));
    expect(install.disabled).toBe(false);
    await fireEvent.click(install);
    await waitFor(() => expect(screen.getByTestId('from-hq-done').textContent).toContain('Пакет № 1 сети «Ромашка» установлен'));
    const done = screen.getByTestId('from-hq-done').textContent ?? '';
    expect(done).toContain('только пакеты, подписанные сетью «Ромашка»');
    expect(done).toContain('310 магазинов добавлено');
    expect(screen.getByTestId('from-hq-cert').textContent).toContain('Анна Смирнова теперь подписывает сертификатом сети');
    expect(calls).toEqual([
      ['preview_package', { path: '/media/usb/hq-package-1.zip' }],
      ['receive_package', { path: '/media/usb/hq-package-1.zip', pin: fingerprint }],
    ]);
    await waitFor(() => expect(screen.getByTestId('from-hq-installed').textContent).toContain('Установлен пакет № 1 сети «Ромашка»'));
  });

  it('says why a package will not be installed and offers no button for it', async () => {
    setLang('en');
    mockIPC((cmd) => {
      if (cmd === 'installed_package') return { sequence: 3, chain: 'Ромашка', fingerprint, made_at: '2026-12-01T09:00:00Z', installed_at: '2026-12-01T10:00:00Z' };
      if (cmd === 'list_stores') return stores;
      if (cmd.startsWith('plugin:dialog')) return '/media/usb/old.zip';
      if (cmd === 'preview_package') return { ...preview, first: false, sequence: 2, refused: 'it is package 2, older than package 3 installed here' };
      return null;
    });
    render(FromHq);
    await fireEvent.click(screen.getByTestId('from-hq-pick'));
    await waitFor(() => expect(screen.getByTestId('from-hq-refused').textContent).toContain('It will not be installed: it is package 2, older than package 3'));
    expect(screen.queryByTestId('from-hq-install')).toBeNull();
  });

  it('saves a certificate request for the auditor and store and says how they sign now', async () => {
    setLang('en');
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      if (cmd === 'installed_package') return null;
      if (cmd === 'list_stores') return stores;
      if (cmd.startsWith('plugin:dialog')) {
        calls.push(['dialog', (args as { options: { defaultPath: string } }).options.defaultPath]);
        return '/home/anna/request-Анна-Смирнова.pem';
      }
      calls.push([cmd, args]);
      if (cmd === 'signer_certificate') return { auditor: 'Анна Смирнова', issuer: 'Анна Смирнова', self_made: true, store: null, not_after: '2036-11-22T18:05:00Z' };
      if (cmd === 'request_certificate') return { auditor: 'Анна Смирнова', issuer: 'Анна Смирнова', self_made: true, store: null, not_after: '2036-11-22T18:05:00Z' };
      return null;
    });
    render(FromHq);
    const save = screen.getByTestId('cert-save') as HTMLButtonElement;
    expect(save.disabled, 'no name, no store yet').toBe(true);
    const name = screen.getByTestId('cert-signer') as HTMLInputElement;
    await fireEvent.input(name, { target: { value: 'Анна Смирнова' } });
    await fireEvent.blur(name);
    await waitFor(() => expect(screen.getByTestId('cert-status').textContent).toContain('Анна Смирнова signs with a self-made certificate'));
    await waitFor(() => expect(screen.getAllByRole('option').length).toBe(3));
    await fireEvent.change(screen.getByTestId('cert-store'), { target: { value: 'SPB-02' } });
    expect(save.disabled).toBe(false);
    await fireEvent.click(save);
    await waitFor(() => expect(screen.getByTestId('cert-requested').textContent).toContain('Request saved to /home/anna/request-Анна-Смирнова.pem'));
    expect(calls).toEqual([
      ['signer_certificate', { signer: 'Анна Смирнова' }],
      ['dialog', 'request-Анна-Смирнова.pem'],
      ['request_certificate', { signer: 'Анна Смирнова', store: 'SPB-02', path: '/home/anna/request-Анна-Смирнова.pem' }],
    ]);
  });
});
