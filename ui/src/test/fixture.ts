// A realistic audit for UI tests: Russian texts, three sections, every kind of requirement.
import type { AuditView } from '../api/bindings/AuditView';
import type { Requirement } from '../api/bindings/Requirement';
import type { ScoreCard } from '../api/bindings/ScoreCard';

const req = (code: string, text: string, extra: Partial<Requirement> = {}): Requirement => ({
  id: `00000000-0000-7000-8000-0000000000${code.replace('.', '')}`,
  code,
  text,
  guidance: null,
  kind: 'check',
  weight: 1,
  hard: false,
  photo: 'optional',
  na_allowed: true,
  min: null,
  max: null,
  ...extra,
});

export const emptyScore = (): ScoreCard => ({
  score: null,
  rating: null,
  hard_failures: [],
  sections: [
    { title: 'Приветствие', score: null, answered: 0, total: 2, findings: 0 },
    { title: 'Потребности', score: null, answered: 0, total: 2, findings: 0 },
    { title: 'Итоги', score: null, answered: 0, total: 1, findings: 0 },
  ],
  findings: [],
  answered: 0,
  total: 5,
  open: ['1.1', '1.2', '2.1', '2.2'],
});

export function auditView(): AuditView {
  return {
    header: {
      id: 'a1',
      store: { id: 's1', code: 'MSK-01', name: 'Тверская, 12', region: 'Москва' },
      shift_date: '2026-11-22',
      shift: 'opening',
      auditor: 'Анна Смирнова',
      observed: null,
      standard_id: 'st1',
      standard_code: 'DEMO',
      standard_version: '1',
      standard_title: 'Демо',
      status: 'draft',
      created_at: '2026-11-22T09:00:00.000Z',
      updated_at: '2026-11-22T09:00:00.000Z',
      completed_at: null,
      revision_of: null,
      revision_reason: null,
    },
    standard: {
      id: 'st1',
      code: 'DEMO',
      version: '1',
      title: 'Демо',
      language: 'ru',
      ratings: [{ name: 'excellent', min: 90 }],
      created_at: '2026-11-22T09:00:00.000Z',
      sections: [
        { id: 'sec1', title: 'Приветствие', requirements: [req('1.1', 'Поздоровался в течение 30 секунд', { hard: true, na_allowed: false }), req('1.2', 'Улыбка', { kind: 'scale', min: 1, max: 5 })] },
        { id: 'sec2', title: 'Потребности', requirements: [req('2.1', 'Вопросов задано', { kind: 'number', min: 4 }), req('2.2', 'Предложил акцию')] },
        { id: 'sec3', title: 'Итоги', requirements: [req('3.1', 'Что купил покупатель', { kind: 'text' })] },
      ],
    },
    answers: [],
    actions: [],
    photos: [],
    report: null,
    revised_by: null,
    score: emptyScore(),
    missing: [
      { code: '1.1', what: 'answer' },
      { code: '1.2', what: 'answer' },
    ],
  };
}
