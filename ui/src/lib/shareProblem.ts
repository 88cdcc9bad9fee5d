import { get } from 'svelte/store';
import { _ } from 'svelte-i18n';
import { errorNotice, type Notice } from './notice';

/**
 * The sentence for a sharing problem kind: `share.errors.<kind>`, or the general sentence for
 * kinds that are not about sharing (the diary is locked, a storage error). The Share screen and
 * the sharing history say the same thing for the same kind.
 */
export function shareProblem(kind: string): Notice {
  const t = get(_);
  const key = `share.errors.${kind}`;
  const text = t(key);
  return text === key ? errorNotice({ kind, message: '' }) : { tone: 'bad', text };
}
