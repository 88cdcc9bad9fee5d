import { get } from 'svelte/store';
import { _ } from 'svelte-i18n';
import { toAppError } from './api';

export interface Notice {
  tone: 'ok' | 'warn' | 'bad';
  text: string;
}

/**
 * The sentence a screen has of its own for an error (`<section>.<kind>`, e.g. the door's words
 * for a request's problems), or else the app's general one.
 */
export function errorSentenceIn(section: string, e: unknown): string {
  const key = `${section}.${toAppError(e).kind}`;
  const text = get(_)(key);
  return text === key ? errorNotice(e).text : text;
}

/** One sentence in the user's language for any error that reaches the UI. */
export function errorNotice(e: unknown): Notice {
  const t = get(_);
  const { kind, detail } = toAppError(e);
  const key = `errors.${kind}`;
  const values = detail ? Object.fromEntries(Object.entries(detail).map(([k, v]) => [k, String(v)])) : undefined;
  const text = t(key, { values });
  return { tone: 'bad', text: text === key ? t('errors.unknown') : text };
}
