import { describe, expect, it } from 'vitest';
import { render, screen, waitFor, fireEvent } from '@testing-library/svelte';
import { mockIPC } from '@tauri-apps/api/mocks';
import Summary from '../screens/Summary.svelte';
import App from '../App.svelte';
import { setLang } from '../i18n/index.svelte';
import { auditView } from './fixture';

describe('the summary', () => {
  it('lists what is missing when completion is refused', async () => {
    setLang('en');
    mockIPC((cmd) => {
      if (cmd === 'load_audit') return auditView();
      if (cmd === 'complete_audit') throw { code: 'incomplete', message: 'the audit cannot be completed yet', hint: null, problems: [] };
      return null;
    });
    render(Summary, { id: 'a1' });
    await fireEvent.click(await screen.findByTestId('complete-audit'));
    const missing = await screen.findByTestId('missing-list');
    expect(missing.textContent).toContain('1.1 (answer)');
    expect(missing.textContent).toContain('1.2 (answer)');
  });

  it('shows the new status once completed', async () => {
    mockIPC((cmd) => {
      const v = auditView();
      if (cmd === 'complete_audit') v.header.status = 'completed';
      return cmd === 'load_audit' || cmd === 'complete_audit' ? v : null;
    });
    render(Summary, { id: 'a1' });
    await fireEvent.click(await screen.findByTestId('complete-audit'));
    await waitFor(() => expect(screen.getByTestId('audit-status').dataset.status).toBe('completed'));
    expect(screen.getByTestId('reopen-audit')).toBeTruthy();
  });
});

describe('revisions', () => {
  function signed() {
    const v = auditView();
    v.header.status = 'signed';
    v.report = {
      id: 'r1',
      audit_id: v.header.id,
      signer: 'Анна Смирнова',
      signed_at: '2026-11-22T18:05:00Z',
      acknowledged_by: null,
      path: '/data/reports/r1.pdf',
      pdf_sha256: 'ab',
      pdf_bytes: 1000,
    };
    return v;
  }

  it('offers a revision for a signed audit, and only one', async () => {
    setLang('en');
    mockIPC((cmd) => (cmd === 'load_audit' ? signed() : null));
    const first = render(Summary, { id: 'a1' });
    expect(await screen.findByTestId('revise-audit')).toBeTruthy();
    first.unmount();

    mockIPC((cmd) => (cmd === 'load_audit' ? { ...signed(), revised_by: 'a2' } : null));
    render(Summary, { id: 'a1' });
    expect((await screen.findByTestId('revised-by')).textContent).toContain('corrected by a revision');
    expect(screen.queryByTestId('revise-audit')).toBeNull();
  });

  it('says a revision corrects a signed audit and why', async () => {
    setLang('ru');
    mockIPC((cmd) => {
      if (cmd !== 'load_audit') return null;
      const v = auditView();
      v.header.revision_of = 'a1';
      v.header.revision_reason = 'Неверно указана смена';
      return v;
    });
    render(Summary, { id: 'a2' });
    const note = await screen.findByTestId('revision-of');
    expect(note.textContent).toContain('Причина: Неверно указана смена');
    setLang('en');
  });
});

describe('errors', () => {
  it('show every import problem and the hint', async () => {
    setLang('en');
    mockIPC((cmd) => {
      if (cmd === 'list_standards') return [];
      if (cmd === 'list_audits') return [];
      if (cmd === 'load_demo')
        throw { code: 'import_invalid', message: 'x.csv cannot be imported', hint: 'fix what is listed above', problems: ['row 3, column kind: unknown kind'] };
      return null;
    });
    render(App);
    await fireEvent.click(await screen.findByTestId('load-demo'));
    const banner = await screen.findByTestId('error-banner');
    expect(banner.textContent).toContain('x.csv cannot be imported');
    expect(banner.textContent).toContain('row 3, column kind: unknown kind');
    expect(banner.textContent).toContain('fix what is listed above');
  });
});
