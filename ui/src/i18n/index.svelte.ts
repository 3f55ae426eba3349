// The UI language: Russian or English, remembered on this computer.
import type { Lang } from '../api/bindings/Lang';
import { en, type Key } from './en';
import { ru } from './ru';
import { today } from '../lib/dates';
export { parseDate, today, addDays } from '../lib/dates';

const saved = typeof localStorage !== 'undefined' ? localStorage.getItem('storecheck.lang') : null;
const initial: Lang = saved === 'ru' || saved === 'en' ? saved : navigator.language.toLowerCase().startsWith('ru') ? 'ru' : 'en';

export const i18n = $state({ lang: initial });

export function setLang(lang: Lang): void {
  i18n.lang = lang;
  localStorage.setItem('storecheck.lang', lang);
  document.documentElement.lang = lang;
}

/** The string for `key` in the current language, with `{name}` placeholders filled. */
export function t(key: Key, params: Record<string, string | number> = {}): string {
  const table = i18n.lang === 'ru' ? ru : en;
  return table[key].replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? `{${k}}`));
}

/**
 * Which plural form a count takes: Russian has three (1 требование, 2 требования,
 * 5 требований; 21 like 1, 11–14 like 5), English two.
 */
export function pluralForm(n: number, lang: Lang = i18n.lang): 0 | 1 | 2 {
  const abs = Math.abs(Math.trunc(n));
  if (lang === 'en') return abs === 1 ? 0 : 1;
  const ten = abs % 10;
  const hundred = abs % 100;
  if (ten === 1 && hundred !== 11) return 0;
  if (ten >= 2 && ten <= 4 && (hundred < 12 || hundred > 14)) return 1;
  return 2;
}

/**
 * A string whose forms are separated by `|` (one|few|many in Russian, one|other in English),
 * the form chosen by `n`, and `{n}` and the other placeholders filled.
 */
export function tn(key: Key, n: number, params: Record<string, string | number> = {}): string {
  const forms = t(key, { ...params, n }).split('|');
  return forms[Math.min(pluralForm(n), forms.length - 1)];
}

/** A file's size as the language writes it: 4.2 MB, 4,2 МБ; 310 KB, 310 КБ. */
export function fileSize(bytes: number): string {
  const ru = i18n.lang === 'ru';
  if (bytes >= 1048576) {
    const mb = (bytes / 1048576).toFixed(1);
    return ru ? `${mb.replace('.', ',')} МБ` : `${mb} MB`;
  }
  const kb = Math.max(1, Math.round(bytes / 1024));
  return ru ? `${kb} КБ` : `${kb} KB`;
}

/** A percentage as people in this language write it: 87.5% or 87,5 %. */
export function percent(v: number | null): string {
  if (v === null) return '—';
  return i18n.lang === 'ru' ? `${v.toFixed(1).replace('.', ',')} %` : `${v.toFixed(1)}%`;
}

/** A rating band's name; the standard's own band names are shown as they are. */
export function ratingLabel(r: string | null): string {
  if (r === null) return '—';
  const key = `rating.${r}` as Key;
  return key in en ? t(key) : r;
}

/** A date `YYYY-MM-DD` as the language writes it: 15.12.2026 in Russian, 2026-12-15 in English. */
export function date(d: string): string {
  const [y, m, day] = d.split('-');
  return i18n.lang === 'ru' ? `${day}.${m}.${y}` : d;
}

/** How a date is typed in this language, for placeholders and messages. */
export function datePattern(): string {
  return i18n.lang === 'ru' ? 'ДД.ММ.ГГГГ' : 'YYYY-MM-DD';
}

/** A moment (RFC 3339) in this computer's local time, as the language writes it. */
export function dateTime(iso: string): string {
  // A value read once, never state: the reactive SvelteDate is not needed here.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date(today(at))} ${two(at.getHours())}:${two(at.getMinutes())}`;
}

/** A number as the language writes it: 1 234,5 in Russian, 1,234.5 in English. */
export function num(v: number, digits = 0): string {
  return new Intl.NumberFormat(i18n.lang === 'ru' ? 'ru-RU' : 'en-GB', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  })
    .format(v)
    .replace('-', '\u2212');
}

/** A change with its sign (+2,3 / −4,1 / 0), or — when there is nothing to compare. */
export function signed(v: number | null, digits = 1): string {
  if (v === null) return '—';
  const text = num(Math.abs(v), digits);
  if (Number(v.toFixed(digits)) === 0) return text;
  return `${v > 0 ? '+' : '\u2212'}${text}`;
}

/** A day of the year for a chart's axis: 16.11 in Russian, 16 Nov in English. */
export function dayMonth(at: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  if (i18n.lang === 'ru') return `${two(at.getUTCDate())}.${two(at.getUTCMonth() + 1)}`;
  return at.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
}

/** A part of day (`opening`, `day`, …) in words; an unknown one as it is. */
export function shiftLabel(shift: string): string {
  const key = `shift.${shift}` as Key;
  return key in en ? t(key) : shift;
}
