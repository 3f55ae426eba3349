import { describe, expect, it } from 'vitest';
import { en } from '../i18n/en';
import { ru } from '../i18n/ru';
import { percent, ratingLabel, setLang, t } from '../i18n/index.svelte';

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
});
