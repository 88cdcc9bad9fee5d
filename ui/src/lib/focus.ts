// Moves focus to an element as it appears: the safe answer of a question that replaced the
// button which asked it, so keyboard and screen-reader users land on the question.
import type { Action } from 'svelte/action';

export const focusOnShow: Action<HTMLElement> = (node) => {
  node.focus();
};
