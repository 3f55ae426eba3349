import { describe, expect, it } from 'vitest';
import { render, screen, waitFor } from '@testing-library/svelte';
import { mockIPC } from '@tauri-apps/api/mocks';
import Verify from '../screens/Verify.svelte';
import { setLang } from '../i18n/index.svelte';
import { go } from '../lib/state.svelte';

describe('verify a report', () => {
  it('says valid, who signed and when for an intact report opened from its audit', async () => {
    setLang('ru');
    const asked: unknown[] = [];
    mockIPC((cmd, args) => {
      asked.push([cmd, args]);
      if (cmd === 'verify_report')
        return { valid: true, signer: 'Анна Смирнова', signed_at: '2026-11-22T18:05:00Z', trusted: null, problem: null };
      return null;
    });
    go('verify', null, '/data/reports/r1.pdf');
    render(Verify);
    await waitFor(() => expect(screen.getByTestId('verify-result').dataset.valid).toBe('true'));
    expect(asked).toEqual([['verify_report', { path: '/data/reports/r1.pdf', trust: null }]]);
    expect(screen.getByTestId('verify-signer').textContent).toBe('Анна Смирнова');
    expect(screen.getByTestId('verify-result').textContent).toContain('Подпись действительна');
  });

  it('says NOT valid and why for a changed report', async () => {
    setLang('en');
    mockIPC((cmd) =>
      cmd === 'verify_report'
        ? { valid: false, signer: 'Анна Смирнова', signed_at: null, trusted: null, problem: 'the document was changed after it was signed' }
        : null,
    );
    go('verify', null, '/tmp/changed.pdf');
    render(Verify);
    await waitFor(() => expect(screen.getByTestId('verify-result').dataset.valid).toBe('false'));
    const text = screen.getByTestId('verify-result').textContent ?? '';
    expect(text).toContain('NOT valid');
    expect(text).toContain('changed after it was signed');
  });
});
