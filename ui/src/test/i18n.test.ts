import { describe, expect, it, vi } from 'vitest';
import { en } from '../i18n/en';
import { ru } from '../i18n/ru';
import { dateTime, percent, ratingLabel, setLang, t } from '../i18n/index.svelte';

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
});
