import { get } from 'svelte/store';
import { locale } from 'svelte-i18n';
import {
  followSystem,
  formatSpanEnd,
  readFields,
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

/** What the form makes of a date and a time: the ISO time, null when both are empty, or 'invalid'. */
const fromFields = (date: string, time: string) => {
  const read = readFields(date, time);
  return 'iso' in read ? read.iso : 'empty' in read ? null : 'invalid';
};

test('the form reads dates as dd/mm/yyyy and times on the 24-hour clock', () => {
  const iso = fromFields('28/11/2026', '14:05') as string;
  expect(toDateField(iso)).toBe('28/11/2026');
  expect(toTimeField(iso)).toBe('14:05');
  expect(fromFields('28/11/2026', '14h05')).toBe(iso);
  expect(fromFields(' 28.11.2026 ', '14.05')).toBe(iso);
  expect(fromFields('', '')).toBeNull();
  for (const [d, t] of [['31/02/2026', '10:00'], ['28/11/2026', '24:00'], ['11/28/2026', '10:00'], ['28/11/202', '10:00'], ['28/11/2026', '']]) {
    expect(fromFields(d, t)).toBe('invalid');
  }
});

test('dates and times are read as people write them, and the wrong box is named', () => {
  const now = new Date(2026, 11, 6, 15, 0);
  const at = (y: number, mo: number, d: number, h: number, mi: number) => new Date(y, mo - 1, d, h, mi).toISOString();
  for (const [date, time, iso] of [
    ['3/12', '9h30', at(2026, 12, 3, 9, 30)],
    ['03/12/2026', '9g30', at(2026, 12, 3, 9, 30)],
    ['3.12.26', '11h', at(2026, 12, 3, 11, 0)],
    ['3-12', '11 giờ', at(2026, 12, 3, 11, 0)],
    ['3/12', '9 giờ 30 phút', at(2026, 12, 3, 9, 30)],
    ['3/12', '9H05', at(2026, 12, 3, 9, 5)],
    ['3/12', '9h5p', at(2026, 12, 3, 9, 5)],
    ['28/2', '14:05', at(2026, 2, 28, 14, 5)],
  ]) {
    expect(readFields(date, time, now), `${date} ${time}`).toEqual({ iso });
  }
  // A day still to come is last year's: 28/12 typed on 2 January.
  expect(readFields('28/12', '9h', new Date(2027, 0, 2, 10, 0))).toEqual({ iso: at(2026, 12, 28, 9, 0) });
  // Combining accents, as some keyboards type them.
  expect(readFields('3/12', '9 gio\u031b\u0300 30 phu\u0301t', now)).toEqual({ iso: at(2026, 12, 3, 9, 30) });
  expect(readFields('', '', now)).toEqual({ empty: true });
  expect(readFields('30/2', '9h30', now)).toEqual({ wrong: ['date'] });
  expect(readFields('3/12', '9h75', now)).toEqual({ wrong: ['time'] });
  expect(readFields('3/12', '25h', now)).toEqual({ wrong: ['time'] });
  expect(readFields('3/12', '', now)).toEqual({ wrong: ['time'] });
  expect(readFields('', '9h30', now)).toEqual({ wrong: ['date'] });
  expect(readFields('hôm qua', 'sáng', now)).toEqual({ wrong: ['date', 'time'] });
});

test("a request's span shows whole days as dates, and a minute where it begins or ends in a day", () => {
  expect(formatSpanEnd('2026-11-20', 'vi')).toBe('20/11/2026');
  expect(formatSpanEnd('2026-11-28 14:00', 'vi')).toBe('28/11/2026 14:00');
  expect(formatSpanEnd('2026-11-28 18:30', 'en')).toBe('28 Nov 2026 18:30');
});
