// Small pure helpers about answers and requirements, shared by the form and the summary.
import type { Requirement } from '../api/bindings/Requirement';
import type { Response } from '../api/bindings/Response';

/** The kind of an answer as data-answer shows it: "" when unanswered. */
export function responseKind(r: Response | null): '' | Response['type'] {
  return r ? r.type : '';
}

function num(v: number): string {
  return Number.isInteger(v) ? String(v) : String(v);
}

/** What a scale or number requirement expects: "1–5", "≥ 4", "≤ 5". */
export function rangeText(r: Pick<Requirement, 'min' | 'max'>): string {
  if (r.min !== null && r.max !== null) return `${num(r.min)}–${num(r.max)}`;
  if (r.min !== null) return `≥ ${num(r.min)}`;
  if (r.max !== null) return `≤ ${num(r.max)}`;
  return '';
}

/** An answer as text for lists. */
export function responseText(r: Response | null, labels: { pass: string; fail: string; na: string }): string {
  if (!r) return '';
  switch (r.type) {
    case 'pass':
      return labels.pass;
    case 'fail':
      return labels.fail;
    case 'na':
      return labels.na;
    case 'value':
      return num(r.value);
    case 'text':
      return r.value;
  }
}
