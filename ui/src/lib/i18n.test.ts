import { get } from 'svelte/store';
import { locale } from 'svelte-i18n';
import { followSystem, setLanguage, systemLanguage } from './i18n';

afterEach(() => {
  localStorage.clear();
  locale.set('vi');
});

test("the system's language is used when the app speaks it, Vietnamese otherwise", () => {
  expect(systemLanguage(['en-GB', 'vi-VN'])).toBe('en');
  expect(systemLanguage(['fr-FR', 'vi'])).toBe('vi');
  expect(systemLanguage(['fr-FR', 'de'])).toBe('vi');
  expect(systemLanguage([])).toBe('vi');
});

test('on first start the system decides; after a choice in Settings, the choice does', () => {
  followSystem(['en-US']);
  expect(get(locale)).toBe('en');
  expect(document.documentElement.lang).toBe('en');
  setLanguage('vi');
  followSystem(['en-US']);
  expect(get(locale)).toBe('vi');
});
