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

describe('corrective actions after signing', () => {
  function signedWithAction(followups: import('../api/bindings/Followup').Followup[] = []) {
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
    v.score.findings = [{ requirement_id: 'x', code: '2.2', text: 'Предложил акцию', section: 'Потребности', hard: false, note: null }];
    const done = followups.find((f) => f.kind === 'done');
    const moved = followups.filter((f) => f.kind === 'rescheduled').pop();
    v.actions = [
      {
        id: 'c1',
        requirement_id: 'x',
        code: '2.2',
        what: 'Провести тренинг по акциям',
        owner: 'Иванов',
        due: '2020-01-10',
        due_now: moved?.on_date ?? '2020-01-10',
        done_on: done?.on_date ?? null,
        followups,
      },
    ];
    return v;
  }

  it('marks a signed audit\'s action done with a note and a photo, and shows it done', async () => {
    setLang('ru');
    const calls: { cmd: string; headers: Record<string, string>; bytes: number }[] = [];
    mockIPC((cmd, args) => {
      if (cmd === 'load_audit') return signedWithAction();
      if (cmd === 'action_done') {
        calls.push({ cmd, headers: headers.pop() ?? {}, bytes: (args as Uint8Array).length });
        return signedWithAction([
          {
            id: 'f1', action_id: 'c1', audit_id: 'a1', kind: 'done', on_date: '2026-12-02', by_whom: 'Петрова',
            note: 'провели', photo_sha256: 'ab', photo_format: 'jpeg', device_id: 'd', created_at: '2026-12-02T10:00:00Z',
          },
        ]);
      }
      return null;
    });
    // mockIPC passes on no request headers: keep them on the way in.
    const headers: Record<string, string>[] = [];
    const internals = (window as unknown as { __TAURI_INTERNALS__: { invoke: (c: string, a: unknown, o?: { headers?: Record<string, string> }) => Promise<unknown> } }).__TAURI_INTERNALS__;
    const invoke = internals.invoke;
    internals.invoke = (c, a, o) => {
      if (o?.headers) headers.push(o.headers);
      return invoke(c, a, o);
    };
    render(Summary, { id: 'a1' });
    const state = await screen.findByTestId('followup');
    expect(state.dataset.state).toBe('overdue');
    expect(state.textContent).toContain('просрочено с 10.01.2020');
    expect(screen.queryByTestId('action-form')).toBeNull();
    await fireEvent.click(screen.getByTestId('followup-done'));
    await fireEvent.input(screen.getByTestId('followup-note'), { target: { value: 'провели' } });
    await fireEvent.input(screen.getByTestId('followup-by'), { target: { value: 'Петрова' } });
    const photo = new File([new Uint8Array([1, 2, 3])], 'стенд.jpg', { type: 'image/jpeg' });
    await fireEvent.change(screen.getByTestId('followup-photo'), { target: { files: [photo] } });
    await fireEvent.click(screen.getByTestId('followup-save'));
    await waitFor(() => expect(calls).toHaveLength(1));
    expect(calls[0].headers).toMatchObject({ 'x-action': 'c1', 'x-note': encodeURIComponent('провели'), 'x-by': encodeURIComponent('Петрова'), 'x-name': encodeURIComponent('стенд.jpg') });
    expect(calls[0].bytes).toBe(3);
    await waitFor(() => expect(screen.getByTestId('followup').dataset.state).toBe('done'));
    expect(screen.getByTestId('followup').textContent).toContain('Выполнено 02.12.2026, Петрова — провели · фото приложено');
    expect(screen.queryByTestId('followup-done')).toBeNull();
  });

  it('moves the due date only with a date and a reason', async () => {
    setLang('ru');
    const asked: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === 'load_audit') return signedWithAction();
      if (cmd === 'reschedule_action') {
        asked.push(args);
        return signedWithAction([
          {
            id: 'f1', action_id: 'c1', audit_id: 'a1', kind: 'rescheduled', on_date: '2099-12-20', by_whom: 'Иванов',
            note: 'ждём поставку', photo_sha256: null, photo_format: null, device_id: 'd', created_at: '2026-12-02T10:00:00Z',
          },
        ]);
      }
      return null;
    });
    render(Summary, { id: 'a1' });
    await fireEvent.click(await screen.findByTestId('followup-move'));
    const save = screen.getByTestId<HTMLButtonElement>('followup-save');
    await fireEvent.input(screen.getByTestId('followup-due'), { target: { value: '20.12.2099' } });
    expect(save.disabled).toBe(true);
    await fireEvent.input(screen.getByTestId('followup-reason'), { target: { value: 'ждём поставку' } });
    expect(save.disabled).toBe(false);
    await fireEvent.click(save);
    await waitFor(() => expect(asked).toHaveLength(1));
    expect(asked[0]).toMatchObject({ action: 'c1', due: '2099-12-20', reason: 'ждём поставку', by: null });
    await waitFor(() => expect(screen.getByTestId('followup').dataset.state).toBe('open'));
    expect(screen.getByTestId('followup').textContent).toContain('срок 20.12.2099');
    expect(screen.getByTestId('followup').textContent).toContain('Срок перенесён на 20.12.2099, Иванов: ждём поставку');
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
