// The UI language: Russian or English, remembered on this computer.
import type { Lang } from '../api/bindings/Lang';
import { en, type Key } from './en';
import { ru } from './ru';

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

/** A date `YYYY-MM-DD` as the language writes it. */
export function date(d: string): string {
  const [y, m, day] = d.split('-');
  return i18n.lang === 'ru' ? `${day}.${m}.${y}` : d;
}

/** A moment (RFC 3339) in this computer's local time, as the language writes it. */
export function dateTime(iso: string): string {
  // A value read once, never state: the reactive SvelteDate is not needed here.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const two = (n: number) => String(n).padStart(2, '0');
  const day = `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())}`;
  return `${date(day)} ${two(at.getHours())}:${two(at.getMinutes())}`;
}
