import { get } from 'svelte/store';
import { locale } from 'svelte-i18n';
import {
  followSystem,
  formatSpanEnd,
  fromFields,
  setLanguage,
  systemLanguage,
  toDateField,
  toTimeField,
} from './i18n';

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

test('the form reads dates as dd/mm/yyyy and times on the 24-hour clock', () => {
  const iso = fromFields('28/11/2026', '14:05') as string;
  expect(toDateField(iso)).toBe('28/11/2026');
  expect(toTimeField(iso)).toBe('14:05');
  expect(fromFields('28/11/2026', '14h05')).toBe(iso);
  expect(fromFields(' 28.11.2026 ', '14.05')).toBe(iso);
  expect(fromFields('', '')).toBeNull();
  for (const [d, t] of [['31/02/2026', '10:00'], ['28/11/2026', '24:00'], ['11/28/2026', '10:00'], ['28/11/26', '10:00'], ['28/11/2026', '']]) {
    expect(fromFields(d, t)).toBe('invalid');
  }
});

test("a request's span shows whole days as dates, and a minute where it begins or ends in a day", () => {
  expect(formatSpanEnd('2026-11-20', 'vi')).toBe('20/11/2026');
  expect(formatSpanEnd('2026-11-28 14:00', 'vi')).toBe('28/11/2026 14:00');
  expect(formatSpanEnd('2026-11-28 18:30', 'en')).toBe('28 Nov 2026 18:30');
});
