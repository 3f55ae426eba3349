// Small pure helpers about answers and requirements, shared by the form and the summary.
import type { Requirement } from '../api/bindings/Requirement';
import type { Missing } from '../api/bindings/Missing';
import type { Response } from '../api/bindings/Response';
import { i18n, t, tn } from '../i18n/index.svelte';

/** The kind of an answer as data-answer shows it: "" when unanswered. */
export function responseKind(r: Response | null): '' | Response['type'] {
  return r ? r.type : '';
}

/** A number as the UI's language writes it: 2,5 in Russian, 2.5 in English. */
export function numberText(v: number): string {
  return i18n.lang === 'ru' ? String(v).replace('.', ',') : String(v);
}

/** The norm of a scale or number requirement in words: "не менее 4", "from 1 to 5". */
export function normText(r: Pick<Requirement, 'min' | 'max'>): string {
  const [min, max] = [r.min === null ? '' : numberText(r.min), r.max === null ? '' : numberText(r.max)];
  if (r.min !== null && r.max !== null) return t('norm.range', { min, max });
  if (r.min !== null) return t('norm.min', { min });
  if (r.max !== null) return t('norm.max', { max });
  return '';
}

/** What still stands between an audit and completion, in one phrase with the right plurals. */
export function missingText(missing: Missing[]): string {
  const answers = missing.filter((m) => m.what === 'answer').length;
  const photos = missing.filter((m) => m.what === 'photo').length;
  const parts = [];
  if (answers > 0) parts.push(tn('missing.answers', answers));
  if (photos > 0) parts.push(tn('missing.photos', photos));
  return parts.join('; ');
}
