// Pull to refresh: dragging the screen down from its top and letting go past a threshold asks
// for a refresh. Touch on phones, the mouse on desktop; a button beside it serves the keyboard.
import type { Action } from 'svelte/action';

export interface PullOptions {
  /** Called once when a pull passes the threshold and is let go. */
  onrefresh: () => void;
  /** Called as the pull moves: the distance shown (0 when it ends) and whether letting go refreshes. */
  onpull?: (distance: number, ready: boolean) => void;
}

/** How far (in CSS pixels, after damping) a pull must go. */
export const PULL_THRESHOLD = 64;
const MAX_DISTANCE = 112;
/** The screen follows the finger at half its speed, as in platform pull-to-refresh. */
const DAMPING = 0.5;

const atTop = () => window.scrollY <= 0;

/** A drag that starts on a control belongs to the control (mouse: selecting, clicking). */
const onControl = (target: EventTarget | null) =>
  target instanceof Element && target.closest('button, a, input, textarea, select, summary, label') !== null;

export const pullToRefresh: Action<HTMLElement, PullOptions> = (node, initial) => {
  let options = initial;
  let startY: number | null = null;
  let distance = 0;

  function show(d: number) {
    distance = d;
    options.onpull?.(d, d >= PULL_THRESHOLD);
  }

  function begin(y: number, target: EventTarget | null) {
    startY = atTop() && !onControl(target) ? y : null;
  }

  function cancel() {
    startY = null;
    if (distance > 0) show(0);
  }

  function move(y: number, event: Event) {
    if (startY === null) return;
    // The page scrolled meanwhile: this drag is a scroll, not a pull.
    if (!atTop()) return cancel();
    const dy = y - startY;
    if (dy <= 0) {
      // Upward: the page scrolls as usual.
      if (distance > 0) show(0);
      return;
    }
    event.preventDefault();
    show(Math.min(MAX_DISTANCE, dy * DAMPING));
  }

  function end() {
    if (startY === null) return;
    // A mouse drag that selected text was for the text.
    const selecting = (window.getSelection()?.toString() ?? '') !== '';
    const ready = distance >= PULL_THRESHOLD && !selecting;
    startY = null;
    show(0);
    if (ready) options.onrefresh();
  }

  const touchStart = (e: TouchEvent) => {
    if (e.touches.length === 1) begin(e.touches[0].clientY, e.target);
    else cancel();
  };
  const touchMove = (e: TouchEvent) => move(e.touches[0].clientY, e);
  const mouseDown = (e: MouseEvent) => {
    if (e.button !== 0) return;
    // Text the reader may want to select (marked `data-selectable`) is not a handle for a pull.
    if (e.target instanceof Element && e.target.closest('[data-selectable]')) return;
    begin(e.clientY, e.target);
    if (startY === null) return;
    // A pull does not select the text it starts on.
    e.preventDefault();
    window.addEventListener('mousemove', mouseMove);
    window.addEventListener('mouseup', mouseUp, { once: true });
  };
  const mouseMove = (e: MouseEvent) => move(e.clientY, e);
  const mouseUp = () => {
    window.removeEventListener('mousemove', mouseMove);
    end();
  };

  node.addEventListener('touchstart', touchStart, { passive: true });
  // Not passive: a pull must stop the page's own overscroll.
  node.addEventListener('touchmove', touchMove, { passive: false });
  node.addEventListener('touchend', end);
  node.addEventListener('touchcancel', end);
  node.addEventListener('mousedown', mouseDown);

  return {
    update(next: PullOptions) {
      options = next;
    },
    destroy() {
      node.removeEventListener('touchstart', touchStart);
      node.removeEventListener('touchmove', touchMove);
      node.removeEventListener('touchend', end);
      node.removeEventListener('touchcancel', end);
      node.removeEventListener('mousedown', mouseDown);
      window.removeEventListener('mousemove', mouseMove);
      window.removeEventListener('mouseup', mouseUp);
    },
  };
};
