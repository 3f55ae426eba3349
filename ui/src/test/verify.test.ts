import { describe, expect, it } from 'vitest';
import { render, screen, waitFor } from '@testing-library/svelte';
import { mockIPC } from '@tauri-apps/api/mocks';
import Verify from '../screens/Verify.svelte';
import { setLang } from '../i18n/index.svelte';
import { go } from '../lib/state.svelte';
import type { Verification } from '../api/bindings/Verification';

const selfMade = {
  subject: 'Анна Смирнова',
  issuer: 'Анна Смирнова',
  self_made: true,
  not_before: '2026-11-22T18:05:00Z',
  not_after: '2036-11-20T18:05:00Z',
};

/** What verify says of an intact report signed with a self-made certificate, no --trust. */
function intactUnconfirmed(): Verification {
  const identity =
    'подписано сертификатом, который называет себя «Анна Смирнова»; он создан самим подписавшим, и доверенный сертификат его не подтверждает';
  return {
    valid: true,
    signer: null,
    signed_at: '2026-11-22T18:05:00Z',
    trusted: null,
    problem: null,
    claimed_signer: 'Анна Смирнова',
    identity,
    certificate: selfMade,
    trust_problem: null,
    signatures: [
      {
        valid: true,
        claimed_signer: 'Анна Смирнова',
        signed_at: '2026-11-22T18:05:00Z',
        certificate: selfMade,
        trusted: null,
        trust_problem: null,
        problem: null,
        revoked_at: null,
      },
    ],
    data: 'intact',
    data_audit: '01930000-0000-7000-8000-0000000000a1',
    data_problem: null,
  };
}

const covered = {
  id: 'a1',
  store_code: 'MSK-01',
  store_name: 'Тверская, 12',
  shift_date: '2026-11-22',
  shift: 'opening',
  auditor: 'Анна Смирнова',
  standard_code: 'DEMO',
  standard_version: '1',
  status: 'signed',
  score: 93.9,
  rating: 'excellent',
  answered: 61,
  total: 61,
  updated_at: '2026-11-22T18:05:00Z',
  last_sent: null,
  to_send: true,
};

describe('verify a report', () => {
  it('says an intact report is unchanged but, without a trusted certificate, that who signed is not confirmed', async () => {
    setLang('ru');
    const asked: unknown[] = [];
    mockIPC((cmd, args) => {
      asked.push([cmd, args]);
      if (cmd === 'report_audit') return covered;
      return cmd === 'verify_report' ? intactUnconfirmed() : null;
    });
    go('verify', null, '/data/reports/r1.pdf');
    render(Verify);
    await waitFor(() => expect(screen.getByTestId('verify-result').dataset.valid).toBe('true'));
    await waitFor(() => expect(screen.getByTestId('verify-covers').textContent).toContain('MSK-01'));
    expect(asked.filter((a) => (a as [string])[0] !== 'installed_package')).toEqual([
      ['verify_report', { path: '/data/reports/r1.pdf', trust: null }],
      ['report_audit', { path: '/data/reports/r1.pdf' }],
    ]);
    // No HQ package here: nothing is trusted without a chosen certificate.
    expect(screen.queryByTestId('verify-trust-installed')).toBeNull();
    // Which store, shift and score the report covers, read from this computer's own records.
    expect(screen.getByTestId('verify-covers').textContent?.replace(/\s+/g, ' ').trim()).toBe(
      'MSK-01 · Тверская, 12 · 22.11.2026, Открытие · Анна Смирнова · 93,9 %, Отлично',
    );
    expect(screen.getByTestId('verify-self-signed').textContent).toContain('Самоподписанный сертификат');
    const card = screen.getByTestId('verify-result');
    expect(card.textContent).toContain('Подпись действительна');
    expect(card.dataset.confirmed, 'an unconfirmed signer is not a pass').toBe('false');
    expect(card.classList.contains('ok'), 'not green when nobody vouches for the certificate').toBe(false);
    expect(card.classList.contains('warn')).toBe(true);
    expect(screen.getByTestId('verify-unconfirmed').textContent).toContain('НЕ подтверждена');
    const signer = screen.getByTestId('verify-signer').textContent ?? '';
    // The label names the row; the sentence says who signed, once.
    expect(screen.getByTestId('verify-signer').previousElementSibling?.textContent).toBe('Подпись');
    expect(signer, 'the name is shown as a claim, never bare').toContain('называет себя «Анна Смирнова»');
    expect(screen.getByTestId('verify-certificate').textContent).toContain('создан самим подписавшим');
    // The audit's data it carries under the signature.
    expect(screen.getByTestId('verify-data').dataset.status).toBe('intact');
    expect(screen.getByTestId('verify-data').textContent?.trim()).toBe('содержатся в отчёте и охвачены подписью');
  });

  it('is green only when the trusted certificate confirms the signer', async () => {
    setLang('en');
    const v = intactUnconfirmed();
    v.trusted = true;
    v.signer = 'Анна Смирнова';
    v.identity = 'signed by Анна Смирнова (certificate issued by StoreCheck HQ, which is trusted here)';
    v.certificate = { ...selfMade, issuer: 'StoreCheck HQ', self_made: false };
    // The store installed an HQ package: its chain's CA is what is trusted, and the screen says so.
    const installed = { sequence: 2, chain: 'StoreCheck HQ', fingerprint: 'ab'.repeat(32), made_at: '2026-12-01T09:00:00Z', installed_at: '2026-12-01T10:00:00Z' };
    mockIPC((cmd) => (cmd === 'verify_report' ? v : cmd === 'installed_package' ? installed : null));
    go('verify', null, '/data/reports/r1.pdf');
    render(Verify);
    await waitFor(() => expect(screen.getByTestId('verify-result').dataset.confirmed).toBe('true'));
    await waitFor(() =>
      expect(screen.getByTestId('verify-trust-installed').textContent).toContain('the certificate authority of «StoreCheck HQ» (HQ package 2)'),
    );
    const card = screen.getByTestId('verify-result');
    expect(card.classList.contains('ok')).toBe(true);
    expect(screen.queryByTestId('verify-unconfirmed')).toBeNull();
    expect(screen.getByTestId('verify-certificate').textContent).toContain('issued by StoreCheck HQ');
  });

  it('says NOT valid and why for a changed report', async () => {
    setLang('en');
    const v = intactUnconfirmed();
    v.valid = false;
    v.signed_at = null;
    v.problem = 'the document was changed after it was signed';
    mockIPC((cmd) => (cmd === 'verify_report' ? v : null));
    go('verify', null, '/tmp/changed.pdf');
    render(Verify);
    await waitFor(() => expect(screen.getByTestId('verify-result').dataset.valid).toBe('false'));
    const text = screen.getByTestId('verify-result').textContent ?? '';
    expect(text).toContain('NOT valid');
    expect(text).toContain('changed after it was signed');
    expect(screen.queryByTestId('verify-covers'), 'a changed report covers nothing').toBeNull();
  });

  it('says whether the report carries the audit\u2019s data, and why it cannot be read', async () => {
    setLang('en');
    const v = intactUnconfirmed();
    v.valid = false;
    v.problem = 'the signature does not cover the whole file: something was added or cut after signing';
    v.data = 'not_covered';
    v.data_audit = null;
    v.data_problem = 'the audit\u2019s data (storecheck-audit.json) was added, replaced or removed after signing';
    mockIPC((cmd) => (cmd === 'verify_report' ? v : null));
    go('verify', null, '/tmp/appended.pdf');
    const first = render(Verify);
    await waitFor(() => expect(screen.getByTestId('verify-data').dataset.status).toBe('not_covered'));
    expect(screen.getByTestId('verify-data').textContent).toContain('NOT covered by the signature');
    first.unmount();

    setLang('ru');
    const newer = intactUnconfirmed();
    newer.data = 'unreadable';
    newer.data_audit = null;
    newer.data_problem = 'данные проверки записаны в формате 2, более новом, чем формат 1, который читает эта версия StoreCheck; обновите StoreCheck';
    mockIPC((cmd) => (cmd === 'verify_report' ? newer : null));
    go('verify', null, '/tmp/newer.pdf');
    render(Verify);
    await waitFor(() => expect(screen.getByTestId('verify-data').dataset.status).toBe('unreadable'));
    expect(screen.getByTestId('verify-data').textContent?.replace(/\s+/g, ' ').trim()).toBe(
      'не читаются: данные проверки записаны в формате 2, более новом, чем формат 1, который читает эта версия StoreCheck; обновите StoreCheck',
    );
  });
});
