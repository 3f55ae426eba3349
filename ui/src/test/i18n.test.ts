import { describe, expect, it, vi } from 'vitest';
import { en } from '../i18n/en';
import { ru } from '../i18n/ru';
import { date, dateTime, fileSize, parseDate, percent, pluralForm, ratingLabel, setLang, t, tn } from '../i18n/index.svelte';

describe('i18n', () => {
  it('has the same keys in Russian and English', () => {
    expect(Object.keys(ru).sort()).toEqual(Object.keys(en).sort());
  });

  it('writes percentages and ratings the way each language does', () => {
    setLang('ru');
    expect(percent(87.5)).toBe('87,5 %');
    expect(ratingLabel('failed_hard')).toBe('Провал: жёсткое требование');
    expect(ratingLabel('золото')).toBe('золото');
    expect(t('standards.imported', { code: 'X', version: '2', sections: 3, requirements: 9 })).toContain('X, версия 2');
    setLang('en');
    expect(percent(87.5)).toBe('87.5%');
    expect(percent(null)).toBe('—');
    expect(ratingLabel('good')).toBe('Good');
  });

  it('shows a moment in the local time of this computer, not in UTC', () => {
    vi.stubEnv('TZ', 'Europe/Moscow');
    try {
      setLang('ru');
      expect(dateTime('2026-11-22T18:05:00Z')).toBe('22.11.2026 21:05');
      expect(dateTime('2026-11-22T22:30:00Z')).toBe('23.11.2026 01:30');
      setLang('en');
      expect(dateTime('2026-11-22T18:05:00Z')).toBe('2026-11-22 21:05');
      expect(dateTime('not a time')).toBe('not a time');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('chooses Russian and English plural forms by the count', () => {
    setLang('ru');
    const forms = (n: number) => tn('home.requirements', n);
    expect([1, 2, 5, 11, 12, 14, 21, 22, 25, 61, 101, 111, 0].map(forms)).toEqual([
      '1 требование', '2 требования', '5 требований', '11 требований', '12 требований', '14 требований',
      '21 требование', '22 требования', '25 требований', '61 требование', '101 требование', '111 требований', '0 требований',
    ]);
    setLang('en');
    expect([1, 2, 0, 21].map((n) => tn('home.requirements', n))).toEqual(['1 requirement', '2 requirements', '0 requirements', '21 requirements']);
    expect(pluralForm(1, 'en')).toBe(0);
    // Every plural string has the forms its language needs.
    for (const [lang, table, count] of [['ru', ru, 3], ['en', en, 2]] as const) {
      for (const [key, text] of Object.entries(table)) {
        if (text.includes('|')) expect(text.split('|'), `${lang} ${key}`).toHaveLength(count);
      }
    }
  });

  it('reads dates typed either way and refuses what is not a date', () => {
    const now = new Date(2026, 11, 1);
    expect(parseDate('15.12.2026', now)).toBe('2026-12-15');
    expect(parseDate(' 5.1.27 ', now)).toBe('2027-01-05');
    expect(parseDate('15.12', now)).toBe('2026-12-15');
    expect(parseDate('15/12/2026', now)).toBe('2026-12-15');
    expect(parseDate('2026-12-15', now)).toBe('2026-12-15');
    for (const bad of ['31.02.2026', '12/32/2026', '2026-13-01', 'завтра', '', '15.12.20261']) expect(parseDate(bad, now), bad).toBeNull();
    setLang('ru');
    expect(date('2026-12-15')).toBe('15.12.2026');
    expect([fileSize(4404019), fileSize(317440), fileSize(10)]).toEqual(['4,2 МБ', '310 КБ', '1 КБ']);
    setLang('en');
    expect(date('2026-12-15')).toBe('2026-12-15');
    expect([fileSize(4404019), fileSize(317440)]).toEqual(['4.2 MB', '310 KB']);
  });
});
