import { describe, expect, it } from 'vitest';
import { render, screen, waitFor } from '@testing-library/svelte';
import { mockIPC } from '@tauri-apps/api/mocks';
import Form from '../screens/Form.svelte';
import { setLang } from '../i18n/index.svelte';
import { auditView, emptyScore } from './fixture';
import type { AnswerInput } from '../api/bindings/AnswerInput';
import type { AuditView } from '../api/bindings/AuditView';

type Saved = { code: string; input: AnswerInput };

function mockAudit(view: AuditView, saved: Saved[], reject?: (s: Saved) => unknown) {
  mockIPC((cmd, args) => {
    const a = args as Record<string, unknown>;
    if (cmd === 'load_audit') return view;
    if (cmd === 'save_answer') {
      const s = { code: a.code as string, input: a.input as AnswerInput };
      const problem = reject?.(s);
      if (problem) throw problem;
      saved.push(s);
      const score = emptyScore();
      score.answered = saved.length;
      score.score = 75;
      score.rating = 'good';
      return {
        answer: { requirement_id: 'r', code: s.code, response: s.input.response, note: s.input.note, updated_at: '' },
        score,
        missing: [],
      };
    }
    return null;
  });
}

const focused = () => document.querySelector<HTMLElement>('[data-testid="requirement"][aria-current="true"]')?.dataset.code;
const press = (code: string, key = '', extra: KeyboardEventInit = {}) =>
  (document.activeElement ?? window).dispatchEvent(new KeyboardEvent('keydown', { code, key, bubbles: true, ...extra }));

/** The fixture with section 1 answered, so the form opens at 2.1, a number field. */
function firstSectionAnswered(): AuditView {
  const view = auditView();
  view.answers = [
    { requirement_id: 'x', code: '1.1', response: { type: 'pass' }, note: null, updated_at: '' },
    { requirement_id: 'y', code: '1.2', response: { type: 'value', value: 5 }, note: null, updated_at: '' },
  ];
  return view;
}

describe('the form', () => {
  it('answers with single keys, by physical key, and moves to the next open requirement', async () => {
    setLang('ru');
    const saved: Saved[] = [];
    mockAudit(auditView(), saved);
    render(Form, { id: 'a1' });
    await waitFor(() => expect(focused()).toBe('1.1'));

    press('KeyP', 'з'); // a Russian layout types «з» on the P key
    await waitFor(() => expect(saved).toHaveLength(1));
    expect(saved[0]).toEqual({ code: '1.1', input: { response: { type: 'pass' }, note: null } });
    await waitFor(() => expect(focused()).toBe('1.2'));
    expect(screen.getByTestId('live-score').dataset.score).toBe('75');
    expect(screen.getByTestId('live-score').textContent).toBe('75,0 %');
    expect(screen.getByTestId('save-status').dataset.state).toBe('saved');
  });

  it('answers a small scale with one digit key and saves a typed value with Enter', async () => {
    const saved: Saved[] = [];
    mockAudit(auditView(), saved);
    render(Form, { id: 'a1' });
    await waitFor(() => expect(focused()).toBe('1.1'));
    press('KeyN', 'n');
    await new Promise((r) => setTimeout(r, 20));
    expect(saved).toHaveLength(0); // 1.1 has na: false
    press('KeyF', 'f');
    await waitFor(() => expect(focused()).toBe('1.2'));
    // A 1–5 scale is one row of buttons, with no second field holding the same value.
    const row12 = document.querySelector('[data-testid="requirement"][data-code="1.2"]')!;
    expect(row12.querySelectorAll('[data-testid="scale-button"]')).toHaveLength(5);
    expect(row12.querySelector('[data-testid="value-input"]')).toBeNull();
    press('Digit4', '4');
    await waitFor(() => expect(saved).toHaveLength(2));
    expect(saved[1].input.response).toEqual({ type: 'value', value: 4 });
    await waitFor(() => expect(focused()).toBe('2.1')); // moved into the next section
    const input = document.querySelector<HTMLInputElement>('[data-code="2.1"] [data-testid="value-input"]');
    await waitFor(() => expect(document.activeElement).toBe(input)); // typing goes straight into the value
    input!.value = '4,5';
    input!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    await waitFor(() => expect(saved).toHaveLength(3));
    expect(saved[2].input.response).toEqual({ type: 'value', value: 4.5 });
  });

  it('takes N in a value field as "not applicable", never as a typed letter', async () => {
    setLang('ru');
    const saved: Saved[] = [];
    const view = firstSectionAnswered();
    mockAudit(view, saved);
    render(Form, { id: 'a1' });
    await waitFor(() => expect(focused()).toBe('2.1'));
    const input = document.querySelector<HTMLInputElement>('[data-code="2.1"] [data-testid="value-input"]')!;
    await waitFor(() => expect(document.activeElement).toBe(input));
    const typed = new KeyboardEvent('keydown', { code: 'KeyN', key: 'т', bubbles: true, cancelable: true });
    input.dispatchEvent(typed);
    expect(typed.defaultPrevented).toBe(true); // the letter never reaches the field
    await waitFor(() => expect(saved).toHaveLength(1));
    expect(saved[0]).toEqual({ code: '2.1', input: { response: { type: 'na' }, note: null } });
    expect(input.value).toBe('');
  });

  it('says what a value field takes when given something that is not a number', async () => {
    setLang('ru');
    const saved: Saved[] = [];
    const view = firstSectionAnswered();
    mockAudit(view, saved);
    const { errors } = await import('../lib/state.svelte');
    render(Form, { id: 'a1' });
    await waitFor(() => expect(focused()).toBe('2.1'));
    const input = document.querySelector<HTMLInputElement>('[data-code="2.1"] [data-testid="value-input"]')!;
    input.value = '4 шт';
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    await new Promise((r) => setTimeout(r, 20));
    expect(saved).toHaveLength(0);
    expect(errors.current?.message).toBe('Требование 2.1: «4 шт» — не число');
    expect(errors.current?.hint).toBe('Введите измеренное число (норма — не менее 4) или нажмите N — «не применимо».');
    errors.current = null;
  });

  it('shows a refused save as an error, not as saved', async () => {
    const saved: Saved[] = [];
    mockAudit(auditView(), saved, () => ({ code: 'invalid_input', message: 'требование 1.1: нельзя', hint: null, problems: [] }));
    render(Form, { id: 'a1' });
    await waitFor(() => expect(focused()).toBe('1.1'));
    press('KeyP', 'p');
    await waitFor(() => expect(screen.getByTestId('save-status').dataset.state).toBe('error'));
    expect(focused()).toBe('1.1');
  });

  it('is read-only once completed', async () => {
    const view = auditView();
    view.header.status = 'completed';
    const saved: Saved[] = [];
    mockAudit(view, saved);
    render(Form, { id: 'a1' });
    await waitFor(() => expect(focused()).toBe('1.1'));
    press('KeyP', 'p');
    await new Promise((r) => setTimeout(r, 20));
    expect(saved).toHaveLength(0);
    expect(screen.getByText('Открыть для правки')).toBeTruthy();
  });
});
