import { fireEvent } from '@testing-library/svelte';
import { pullToRefresh, PULL_THRESHOLD } from './pull';

function setup() {
  const node = document.createElement('section');
  const button = document.createElement('button');
  node.append(button);
  document.body.append(node);
  const onrefresh = vi.fn();
  const distances: number[] = [];
  const action = pullToRefresh(node, { onrefresh, onpull: (d) => distances.push(d) });
  return { node, button, onrefresh, distances, destroy: () => { action?.destroy?.(); node.remove(); } };
}

async function drag(from: Element, dy: number) {
  await fireEvent.mouseDown(from, { button: 0, clientY: 100 });
  await fireEvent.mouseMove(window, { clientY: 100 + dy / 2 });
  await fireEvent.mouseMove(window, { clientY: 100 + dy });
  await fireEvent.mouseUp(window, { clientY: 100 + dy });
}

test('a pull past the threshold refreshes once, and the indicator follows then resets', async () => {
  const { node, onrefresh, distances, destroy } = setup();
  await drag(node, 3 * PULL_THRESHOLD);
  expect(onrefresh).toHaveBeenCalledOnce();
  expect(Math.max(...distances)).toBeGreaterThanOrEqual(PULL_THRESHOLD);
  expect(distances.at(-1)).toBe(0);
  destroy();
});

test('a short pull, an upward drag or a drag on a button does not refresh', async () => {
  const { node, button, onrefresh, destroy } = setup();
  await drag(node, PULL_THRESHOLD);
  await drag(node, -300);
  await drag(button, 3 * PULL_THRESHOLD);
  expect(onrefresh).not.toHaveBeenCalled();
  destroy();
});

test('a mouse drag on selectable text selects it rather than pulling', async () => {
  const { node, onrefresh, destroy } = setup();
  const text = document.createElement('p');
  text.setAttribute('data-selectable', '');
  node.append(text);
  await drag(text, 3 * PULL_THRESHOLD);
  expect(onrefresh).not.toHaveBeenCalled();
  destroy();
});

test('a pull only starts at the top of the page', async () => {
  const { node, onrefresh, destroy } = setup();
  Object.defineProperty(window, 'scrollY', { value: 200, configurable: true });
  await drag(node, 3 * PULL_THRESHOLD);
  expect(onrefresh).not.toHaveBeenCalled();
  Object.defineProperty(window, 'scrollY', { value: 0, configurable: true });
  destroy();
});
