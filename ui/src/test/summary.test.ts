import { describe, expect, it } from 'vitest';
import { render, screen, waitFor, fireEvent } from '@testing-library/svelte';
import { mockIPC } from '@tauri-apps/api/mocks';
import Summary from '../screens/Summary.svelte';
import App from '../App.svelte';
import Form from '../screens/Form.svelte';
import { setLang } from '../i18n/index.svelte';
import { auditView } from './fixture';

describe('the summary', () => {
  it('takes the manager to the first missing item when completion is refused, and says what is missing', async () => {
    setLang('ru');
    const view = auditView();
    view.missing = [
      { code: '1.2', what: 'answer' },
      { code: '2.1', what: 'answer' },
      { code: '2.2', what: 'answer' },
      { code: '2.2', what: 'photo' },
    ];
    mockIPC((cmd) => {
      if (cmd === 'load_audit') return view;
      if (cmd === 'complete_audit') throw { code: 'incomplete', message: 'нельзя', hint: null, problems: [] };
      return null;
    });
    const { nav, completion } = await import('../lib/state.svelte');
    const summary = render(Summary, { id: 'a1' });
    await fireEvent.click(await screen.findByTestId('complete-audit'));
    await waitFor(() => expect(nav.screen).toBe('form'));
    expect(nav.focus).toBe('1.2');
    expect(completion.refused).toBe('a1');
    summary.unmount();

    render(Form, { id: 'a1' });
    const notice = await screen.findByTestId('completion-notice');
    expect(notice.textContent).toContain('Проверку пока нельзя завершить. Осталось: 3 требования без ответа; фото для 1 требования.');
    await waitFor(() => expect(document.querySelector('[data-testid="requirement"][aria-current="true"]')?.getAttribute('data-code')).toBe('1.2'));
    expect(document.querySelector('[data-testid="requirement"][data-code="1.2"]')?.classList.contains('unfinished')).toBe(true);
    expect(document.querySelector('[data-testid="requirement"][data-code="1.1"]')?.classList.contains('unfinished')).toBe(false);
    completion.refused = null;
  });

  it('completes with the key S as with the button', async () => {
    setLang('en');
    let completed = 0;
    mockIPC((cmd) => {
      const v = auditView();
      if (cmd === 'complete_audit') {
        completed += 1;
        v.header.status = 'completed';
      }
      return cmd === 'load_audit' || cmd === 'complete_audit' ? v : null;
    });
    render(Summary, { id: 'a1' });
    await screen.findByTestId('complete-audit');
    document.body.dispatchEvent(new KeyboardEvent('keydown', { code: 'KeyS', key: 's', bubbles: true }));
    await waitFor(() => expect(screen.getByTestId('audit-status').dataset.status).toBe('completed'));
    expect(completed).toBe(1);
  });

  it('shows a failed value beside its norm, and the auditor\'s conclusions', async () => {
    setLang('ru');
    const view = auditView();
    view.answers = [
      { requirement_id: 'x', code: '2.1', response: { type: 'value', value: 3 }, note: null, updated_at: '' },
      { requirement_id: 'y', code: '3.1', response: { type: 'text', value: 'Сильная команда, быстрая примерка' }, note: null, updated_at: '' },
    ];
    view.score.findings = [{ requirement_id: 'x', code: '2.1', text: 'Вопросов задано', section: 'Потребности', hard: false, note: null }];
    mockIPC((cmd) => (cmd === 'load_audit' ? view : null));
    render(Summary, { id: 'a1' });
    expect((await screen.findByTestId('finding-value')).textContent).toBe('норма: не менее 4 — измерено 3');
    const conclusions = screen.getByTestId('conclusions');
    expect(conclusions.textContent).toContain('Выводы проверяющего');
    expect(conclusions.textContent).toContain('Сильная команда, быстрая примерка');
  });

  it('clears the corrective-action form after Add, and takes the due date as the UI writes it', async () => {
    setLang('ru');
    const view = auditView();
    view.score.findings = [{ requirement_id: 'x', code: '2.2', text: 'Предложил акцию', section: 'Потребности', hard: false, note: null }];
    const added: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === 'load_audit') return view;
      if (cmd === 'add_action') {
        const input = (args as { action: { code: string; what: string; owner: string; due: string } }).action;
        added.push(input);
        return { id: 'c1', ...input };
      }
      return null;
    });
    render(Summary, { id: 'a1' });
    const what = await screen.findByTestId<HTMLInputElement>('action-what');
    const owner = screen.getByTestId<HTMLInputElement>('action-owner');
    const due = screen.getByTestId<HTMLInputElement>('action-due');
    expect(due.placeholder).toBe('Срок');
    await fireEvent.input(what, { target: { value: 'Провести тренинг по акциям' } });
    await fireEvent.input(owner, { target: { value: 'Администратор смены' } });
    await fireEvent.input(due, { target: { value: '15.12.2026' } });
    await fireEvent.click(screen.getByTestId('action-add'));
    await waitFor(() => expect(added).toHaveLength(1));
    expect(added[0]).toMatchObject({ code: '2.2', what: 'Провести тренинг по акциям', owner: 'Администратор смены', due: '2026-12-15' });
    expect((await screen.findByTestId('action')).textContent).toContain('Администратор смены, 15.12.2026');
    await waitFor(() => expect(what.value).toBe(''));
    expect(owner.value).toBe('');
    expect(due.value).toBe('');
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
    // The report is named by store, date and shift; the UUID path is only on hover.
    const name = screen.getByTestId('report-name');
    expect(name.textContent).toBe('MSK-01 Тверская, 12 — 2026-11-22, Opening.pdf');
    expect(name.title).toBe('/data/reports/r1.pdf');
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
