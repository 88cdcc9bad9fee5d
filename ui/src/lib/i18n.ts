// Every string the app shows, per language, lives in src/locales/*.json; this file wires them.
import { addMessages, init, locale } from 'svelte-i18n';
import vi from '../locales/vi.json';
import en from '../locales/en.json';

export const LANGUAGES = [
  { code: 'vi', name: 'Tiếng Việt' },
  { code: 'en', name: 'English' },
] as const;
export type Language = (typeof LANGUAGES)[number]['code'];

const STORAGE_KEY = 'visit-diary.language';

addMessages('vi', vi);
addMessages('en', en);

function saved(): Language | null {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return LANGUAGES.some((l) => l.code === value) ? (value as Language) : null;
  } catch {
    return null;
  }
}

/** The system's language on first start, if the app speaks it; Vietnamese otherwise. */
export function systemLanguage(languages: readonly string[] = navigator.languages ?? []): Language {
  for (const tag of languages) {
    const base = tag.toLowerCase().split('-')[0];
    const found = LANGUAGES.find((l) => l.code === base);
    if (found) return found.code;
  }
  return 'vi';
}

/** The language the user chose, else the system's (first start), else Vietnamese. */
export function setupI18n(initial?: Language) {
  const lang = initial ?? saved() ?? systemLanguage();
  init({ fallbackLocale: 'vi', initialLocale: lang });
  document.documentElement.lang = lang;
}

/**
 * Once the app says which languages the system prefers (the webview's own list is not reliable
 * on Linux), they decide, unless the user chose a language in Settings.
 */
export function followSystem(languages: readonly string[]) {
  if (saved() || languages.length === 0) return;
  const lang = systemLanguage(languages);
  locale.set(lang);
  document.documentElement.lang = lang;
}

export function setLanguage(lang: Language) {
  locale.set(lang);
  document.documentElement.lang = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Storage may be unavailable; the choice then lasts until the app closes.
  }
}

/** `29/11/2026` in Vietnamese, `29 Nov 2026` in English. */
export function formatDate(iso: string, lang: string): string {
  return new Intl.DateTimeFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', {
    day: '2-digit',
    month: lang === 'vi' ? '2-digit' : 'short',
    year: 'numeric',
  }).format(new Date(iso));
}

/**
 * One end of the span a tracer asked for, as the app's core writes it in Vietnam's time: a day
 * (`2026-11-29`, shown `29/11/2026`) or a day and minute (`2026-11-29 14:00`, shown
 * `29/11/2026 14:00`). The minute is shown as written: it is Vietnam's, as the request says.
 */
export function formatSpanEnd(text: string, lang: string): string {
  const [day, minute] = text.split(' ');
  const date = formatDate(`${day}T12:00:00`, lang);
  return minute ? `${date} ${minute}` : date;
}

/** Whether a span names a minute at either end (then its times are Vietnam's, and say so). */
export function spanHasMinute(from: string, to: string): boolean {
  return from.includes(' ') || to.includes(' ');
}

/** `29/11/2026 14:05` (Vietnamese) or `29 Nov 2026 14:05`. */
export function formatDateTime(iso: string, lang: string): string {
  return `${formatDate(iso, lang)} ${formatTime(iso, lang)}`;
}

/** The time alone when it falls today (local), else with its date: `14:05` or `29/11/2026 14:05`. */
export function formatTimeToday(iso: string, lang: string, now = new Date()): string {
  return localDay(iso) === localDay(now.toISOString()) ? formatTime(iso, lang) : formatDateTime(iso, lang);
}

/** A window, `05/12/2026 13:10 – 14:10`, with the end's date only when it falls on another day. */
export function formatWindow(from: string, to: string, lang: string): string {
  const end = localDay(from) === localDay(to) ? formatTime(to, lang) : formatDateTime(to, lang);
  return `${formatDateTime(from, lang)} – ${end}`;
}

/** The local day of a time, `2026-11-29`, for grouping. */
export function localDay(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A time as the diary's form shows it, in both languages: `29/11/2026` and `14:05` (local). */
export function toDateField(iso: string): string {
  const d = new Date(iso);
  return `${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear()}`;
}

export function toTimeField(iso: string): string {
  const d = new Date(iso);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * A date field as people write it: `3/12/2026`, `03.12.26`, or `3/12`: this year (`now`'s), or
 * last year when that day is still to come.
 * `null` when empty; `'invalid'` when it names no day.
 */
export function readDate(text: string, now = new Date()): { year: number; month: number; day: number } | null | 'invalid' {
  if (!text.trim()) return null;
  const d = /^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*(?:[/.-]\s*(\d{2}|\d{4})\s*)?$/.exec(text);
  if (!d) return 'invalid';
  const [day, month] = [Number(d[1]), Number(d[2])];
  // Without a year: this year, or last year for a day still to come (28/12 typed on 2 January).
  const ahead = (year: number) => new Date(year, month - 1, day).getTime() > now.getTime() + 86_400_000;
  const thisYear = now.getFullYear();
  const year =
    d[3] === undefined ? (ahead(thisYear) ? thisYear - 1 : thisYear) : d[3].length === 2 ? 2000 + Number(d[3]) : Number(d[3]);
  const when = new Date(year, month - 1, day, 12);
  const same = when.getFullYear() === year && when.getMonth() === month - 1 && when.getDate() === day;
  return same ? { year, month, day } : 'invalid';
}

/**
 * A time field as people write it, on the 24-hour clock: `14:05`, `14.05`, `9h30`, `9g30`, `11h`,
 * `11 giờ`, `9 giờ 30 phút`. `null` when empty; `'invalid'` when it names no time.
 */
export function readTime(text: string): { hour: number; minute: number } | null | 'invalid' {
  // "giờ" and "phút" typed with combining accents (some keyboards) read as the composed letters.
  text = text.normalize('NFC');
  if (!text.trim()) return null;
  const t = /^\s*(\d{1,2})\s*(?:(?:[:.])\s*(\d{2})|(?:h|g|giờ)\s*(?:(\d{1,2})\s*(?:p|ph|phút)?)?)\s*$/i.exec(text);
  if (!t) return 'invalid';
  const hour = Number(t[1]);
  const minute = Number(t[2] ?? t[3] ?? 0);
  return hour < 24 && minute < 60 ? { hour, minute } : 'invalid';
}

/**
 * The time a date field and a time field name (as [`readDate`] and [`readTime`] read them),
 * local, as ISO 8601: `iso`; `empty` when both are empty; otherwise which of the two is wrong
 * (or missing).
 */
export function readFields(
  date: string,
  time: string,
  now = new Date(),
): { iso: string } | { empty: true } | { wrong: ('date' | 'time')[] } {
  const [d, t] = [readDate(date, now), readTime(time)];
  if (d === null && t === null) return { empty: true };
  if (d === null || d === 'invalid' || t === null || t === 'invalid') {
    const wrong: ('date' | 'time')[] = [];
    if (d === null || d === 'invalid') wrong.push('date');
    if (t === null || t === 'invalid') wrong.push('time');
    return { wrong };
  }
  return { iso: new Date(d.year, d.month - 1, d.day, t.hour, t.minute).toISOString() };
}

/** A day heading: `Thứ Bảy, 28/11/2026` or `Saturday, 28 Nov 2026`. */
export function formatDay(day: string, lang: string): string {
  const [y, m, d] = day.split('-').map(Number);
  const date = new Date(y, m - 1, d, 12);
  const weekday = new Intl.DateTimeFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', { weekday: 'long' }).format(date);
  const title = weekday.charAt(0).toUpperCase() + weekday.slice(1);
  return `${title}, ${formatDate(date.toISOString(), lang)}`;
}

/** `14:05`, 24-hour in both languages. */
export function formatTime(iso: string, lang: string): string {
  return new Intl.DateTimeFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(iso));
}
