import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { mockIPC } from '@tauri-apps/api/mocks';
import Audit from '../screens/hq/Audit.svelte';
import { setLang } from '../i18n/index.svelte';
import { go, nav } from '../lib/state.svelte';
import { auditView, intact } from './hq-fixture';

const spaces = (s: string | null | undefined) => (s ?? '').replace(/[\s\u00a0]+/g, ' ').trim();

describe('an audit at HQ', () => {
  it('shows the signed PDF\u2019s verdict, the answers with photos, the actions and the revisions, and saves a review', async () => {
    setLang('ru');
    localStorage.setItem('storecheck.reviewer', 'Мария Кузнецова');
    const asked: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      asked.push([cmd, args]);
      if (cmd === 'hq_audit') return auditView();
      if (cmd === 'hq_verify') return intact();
      if (cmd === 'hq_review') {
        const { reviewer, comment } = args as { reviewer: string; comment: string };
        return { id: 'rv2', reviewer, comment, created_at: '2026-11-23T07:30:00Z' };
      }
      if (cmd === 'plugin:dialog|save') return '/home/rm/S002.pdf';
      return null;
    });
    go('hq-audit', 'audit-2');
    render(Audit, { id: 'audit-2' });

    // The signature of the PDF HQ holds is checked straight away.
    await waitFor(() => expect(screen.getByTestId('hq-audit-verdict').dataset.valid).toBe('true'));
    expect(asked.slice(0, 2)).toEqual([
      ['hq_audit', { id: 'audit-2' }],
      ['hq_verify', { id: 'audit-2' }],
    ]);
    const verdict = spaces(screen.getByTestId('hq-audit-verdict').textContent);
    expect(verdict).toContain('Подпись действительна');
    expect(verdict).toContain('называет себя «Анна Смирнова»');
    expect(verdict).toContain('Данные в ЦО совпадают с данными, подписанными в PDF');
    expect(verdict).toMatch(/Ознакомлен\(а\) ?Олег Иванов/);

    // Header: store, shift in words, score and rating.
    const page = spaces(document.body.textContent);
    expect(page).toContain('S002 · Магазин №2 — Санкт-Петербург, ТЦ «Гринвич»');
    expect(page).toContain('12.11.2026 · Вечер');
    expect(spaces(screen.getByTestId('hq-audit-score').textContent)).toContain('74,5 % Провал: жёсткое требование');

    // Answers in words; the finding stands out and the hard requirement is marked.
    const answers = screen.getAllByTestId('hq-answer');
    expect(answers.map((a) => a.dataset.code)).toEqual(['1.1', '1.2', '2.1']);
    expect(answers[0].textContent).toContain('Выполнено');
    expect(answers[1].classList.contains('finding')).toBe(true);
    expect(answers[1].textContent).toContain('Не выполнено');
    expect(answers[1].textContent).toContain('жёсткое');
    expect(answers[1].textContent).toContain('Двое пришли за 5 минут');
    expect(answers[2].textContent).toContain('5');
    // A photo HQ holds is shown from the hqphoto scheme; one it does not hold says so.
    const img = screen.getByTestId('hq-photo').querySelector('img');
    expect(img?.getAttribute('src')).toBe(`hqphoto://localhost/${'a'.repeat(64)}.jpg`);
    expect(screen.getByTestId('hq-photo-missing').textContent).toBe('Фото ещё не поступило');
    await fireEvent.click(screen.getByTestId('hq-only-findings'));
    expect(screen.getAllByTestId('hq-answer').map((a) => a.dataset.code)).toEqual(['1.2']);

    // Corrective actions with their state and a moved due date.
    const actions = screen.getAllByTestId('hq-action');
    expect(actions.map((a) => a.dataset.state)).toEqual(['overdue', 'done']);
    expect(spaces(actions[0].textContent)).toContain('30.11.2026 перенесён с 15.11.2026');
    expect(actions[0].textContent).toContain('Просрочено');

    // The review: the name remembered, a comment, and the new mark listed.
    const reviewer = screen.getByTestId('hq-reviewer') as HTMLInputElement;
    expect(reviewer.value).toBe('Мария Кузнецова');
    await fireEvent.input(reviewer, { target: { value: 'Пётр Соколов' } });
    await fireEvent.input(screen.getByTestId('hq-review-comment'), { target: { value: 'Проверить приход через неделю' } });
    await fireEvent.click(screen.getByTestId('hq-review-save'));
    await waitFor(() => expect(screen.getByTestId('hq-reviews').querySelectorAll('li')).toHaveLength(2));
    expect(asked.find(([c]) => c === 'hq_review')?.[1]).toEqual({ id: 'audit-2', reviewer: 'Пётр Соколов', comment: 'Проверить приход через неделю' });
    expect(screen.getByTestId('hq-reviews').textContent).toContain('Проверить приход через неделю');
    expect(localStorage.getItem('storecheck.reviewer')).toBe('Пётр Соколов');
    expect((screen.getByTestId('hq-review-comment') as HTMLTextAreaElement).value).toBe('');

    // The PDF: a copy where the manager chooses.
    await fireEvent.click(screen.getByTestId('hq-report-save'));
    await waitFor(() => expect(asked.find(([c]) => c === 'hq_save_report')?.[1]).toEqual({ id: 'audit-2', path: '/home/rm/S002.pdf' }));

    // The revision chain: this one marked, the other opens.
    expect(screen.getByTestId('hq-revision-here').textContent).toContain('Исправление 1');
    await fireEvent.click(screen.getByTestId('hq-revision'));
    expect([nav.screen, nav.audit]).toEqual(['hq-audit', 'audit-1']);
    await fireEvent.click(screen.getByTestId('hq-audit-back'));
    expect(nav.screen).toBe('hq-dashboard');
  });

  it('says the PDF has not arrived, and checks nothing, when HQ does not hold it', async () => {
    setLang('en');
    const view = auditView();
    view.report = { ...view.report!, held: false };
    view.reviews = [];
    const asked: string[] = [];
    mockIPC((cmd) => {
      asked.push(cmd);
      return cmd === 'hq_audit' ? view : null;
    });
    render(Audit, { id: 'audit-2' });
    await waitFor(() => expect(screen.getByTestId('hq-report-missing')).toBeTruthy());
    expect(screen.getByTestId('hq-report-missing').textContent).toContain('has not arrived at HQ yet');
    expect(asked).toEqual(['hq_audit']);
    expect(screen.getByText('Not reviewed yet.')).toBeTruthy();
    expect((screen.getByTestId('hq-review-save') as HTMLButtonElement).disabled, 'a review needs a name').toBe(true);
  });
});
