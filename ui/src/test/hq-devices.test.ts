import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { mockIPC } from '@tauri-apps/api/mocks';
import DevicesCard from '../lib/hq/DevicesCard.svelte';
import { setLang } from '../i18n/index.svelte';
import { errors } from '../lib/state.svelte';
import type { KnownDevice } from '../api/bindings/KnownDevice';

const fingerprint = 'ab'.repeat(32);
const waiting: KnownDevice = {
  device_id: '0193a000-0000-7000-8000-000000000001',
  name: 'Касса-1 (Тверская)',
  fingerprint,
  fingerprint_shown: 'ABAB ABAB ABAB ABAB ABAB ABAB ABAB ABAB ABAB ABAB ABAB ABAB ABAB ABAB ABAB ABAB',
  state: 'waiting',
  store: null,
  serial: null,
  until: null,
  revoked_at: null,
  revoke_reason: null,
  stores_named: ['MSK-01'],
  last_refused_at: '2026-12-02T09:15:00Z',
  refused: 2,
};

describe('store laptops at HQ', () => {
  it('lists a laptop waiting with the store its bundles named, and enrols it for the store given', async () => {
    setLang('ru');
    let enrolled = false;
    const asked: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      asked.push([cmd, args]);
      if (cmd === 'hq_devices') {
        const d: KnownDevice = enrolled ? { ...waiting, state: 'enrolled', store: 'MSK-02', until: '2029-12-01T09:00:00Z' } : waiting;
        return { with_ca: true, devices: [d] };
      }
      if (cmd === 'hq_enrol_device') {
        const { store } = args as { device: string; store: string };
        if (store !== 'MSK-02') throw { code: 'ca', message: `магазин ${store} неизвестен ЦО`, hint: null, problems: [] };
        enrolled = true;
        return { device_id: waiting.device_id, name: waiting.name, fingerprint, fingerprint_shown: waiting.fingerprint_shown, store, serial: '01', until: '2029-12-01T09:00:00Z', issued: true, replaced: [] };
      }
      return null;
    });
    render(DevicesCard);
    await waitFor(() => expect(screen.getByTestId('hq-device').dataset.state).toBe('waiting'));
    const row = screen.getByTestId('hq-device');
    expect(row.textContent).toContain('Касса-1 (Тверская)');
    expect(row.textContent).toContain('ABAB ABAB');
    expect(row.textContent).toContain('Ждёт регистрации');
    const store = screen.getByTestId('hq-device-store') as HTMLInputElement;
    expect(store.value, 'the store its bundles named').toBe('MSK-01');

    // A store HQ does not know: the reason, and the laptop still waits.
    await fireEvent.input(store, { target: { value: 'MSK-99' } });
    await fireEvent.click(screen.getByTestId('hq-device-enrol'));
    await waitFor(() => expect(errors.current?.message).toContain('MSK-99'));
    expect(screen.getByTestId('hq-device').dataset.state).toBe('waiting');

    await fireEvent.input(store, { target: { value: ' MSK-02 ' } });
    await fireEvent.click(screen.getByTestId('hq-device-enrol'));
    await waitFor(() => expect(screen.getByTestId('hq-device').dataset.state).toBe('enrolled'));
    expect(asked.filter(([c]) => c === 'hq_enrol_device').slice(-1)[0]).toEqual(['hq_enrol_device', { device: fingerprint, store: 'MSK-02' }]);
    expect(screen.getByTestId('hq-device').textContent).toContain('Зарегистрирован для MSK-02 до 01.12.2029');
    expect(screen.getByTestId('hq-devices-done').textContent).toContain('«Касса-1 (Тверская)» зарегистрирован для MSK-02');
    expect(screen.queryByTestId('hq-device-enrol'), 'nothing to enrol any more').toBeNull();
    // Switched to English: what was just done is said in English too.
    setLang('en');
    await waitFor(() => expect(screen.getByTestId('hq-devices-done').textContent).toContain('“Касса-1 (Тверская)” is enrolled for MSK-02 until 2029-12-01'));
  });

  it('says that without the chain’s CA every laptop is taken on first use', async () => {
    setLang('en');
    mockIPC((cmd) => (cmd === 'hq_devices' ? { with_ca: false, devices: [{ ...waiting, state: 'not_enrolled' }] } : null));
    render(DevicesCard);
    await waitFor(() => expect(screen.getByTestId('hq-devices-no-ca').textContent).toContain('taken from any store laptop on first use'));
    expect(screen.queryByTestId('hq-device-enrol')).toBeNull();
  });
});
