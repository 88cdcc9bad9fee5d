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

/** Vietnamese unless the user chose English. */
export function setupI18n(initial?: Language) {
  const lang = initial ?? saved() ?? 'vi';
  init({ fallbackLocale: 'vi', initialLocale: lang });
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

/** `14:05`, 24-hour in both languages. */
export function formatTime(iso: string, lang: string): string {
  return new Intl.DateTimeFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(iso));
}
