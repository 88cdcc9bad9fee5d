import { get } from 'svelte/store';
import { _ } from 'svelte-i18n';
import { toAppError } from './api';

export interface Notice {
  tone: 'ok' | 'warn' | 'bad';
  text: string;
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
