// What a check-in tells besides "recorded": the visit it closed (by the scan, or earlier at the
// end of its stay), when an open visit will close by itself, and, with the app lock closed, no
// place but the one just scanned. And the duplicate question's safe answer first.
import { render, screen, fireEvent } from '@testing-library/svelte';
import { mockIPC, clearMocks } from '@tauri-apps/api/mocks';
import { get } from 'svelte/store';
import { _ } from 'svelte-i18n';
import Home from './Home.svelte';
import Confirm from './Confirm.svelte';
import type { Visit } from '../lib/api';
import { visit } from '../test-fixtures';
import { formatDateTime, formatTime } from '../lib/i18n';

afterEach(() => clearMocks());

const t = (key: string, values: Record<string, string>) => get(_)(key, { values });
const at = (iso: string) => formatTime(iso, 'vi');

/** Today at `h`:`m`, local. */
const today = (h: number, m: number) => {
  const d = new Date();
  d.setHours(h, m, 0, 0);
  return d.toISOString();
};
const market = visit(1, 'Chợ Xanh Cao Bằng');
const closedByScan: Visit = { ...market, time_out: today(8, 35), checkout: 'next-scan', auto_out: null };
const closedAtItsEnd: Visit = { ...market, time_out: today(9, 5), checkout: 'auto', auto_out: null };
const closedDaysAgo: Visit = { ...market, time_out: '2026-11-21T02:05:00Z', checkout: 'auto', auto_out: null };
const post = visit(2, 'Bưu điện tỉnh');

function typeCode(text: string) {
  return (async () => {
    await fireEvent.click(screen.getByRole('button', { name: get(_)('home.typeCode') }));
    await fireEvent.input(screen.getByLabelText(get(_)('home.codeLabel')), { target: { value: text } });
    await fireEvent.click(screen.getByRole('button', { name: get(_)('home.submitCode') }));
  })();
}

test.each([
  ['closed by the scan', closedByScan, 'home.checkedOut', at(closedByScan.time_out!)],
  ['closed at the end of its stay', closedAtItsEnd, 'home.closedAuto', at(closedAtItsEnd.time_out!)],
  // The app was not opened since: the day is said too.
  ['closed days ago', closedDaysAgo, 'home.closedAuto', formatDateTime(closedDaysAgo.time_out!, 'vi')],
])('the visit a check-in %s is named with its exit time', async (_name, closed, key, time) => {
  mockIPC((cmd) => {
    if (cmd === 'open_visit') return market;
    if (cmd === 'check_in') return { ...post, closed };
    throw new Error(`unexpected ${cmd}`);
  });
  render(Home, { platform: 'linux' });
  await typeCode('https://x/v/1#a');
  const notice = await screen.findByTestId('notice');
  const closedSentence = t(key, { name: 'Chợ Xanh Cao Bằng', time });
  expect(notice.textContent!.trim()).toBe(
    `${closedSentence} ${t('home.checkedIn', { name: 'Bưu điện tỉnh' })}`,
  );
  expect(closedSentence).toContain('Chợ Xanh Cao Bằng');
  expect(closedSentence).toContain(time);
});

test('the open visit says when the app will record leaving by itself, with the day if not today', async () => {
  const later = { ...market, auto_out: today(10, 5) };
  mockIPC((cmd) => (cmd === 'open_visit' ? later : null));
  const { unmount } = render(Home, { platform: 'linux' });
  const line = await screen.findByTestId('auto-out');
  expect(line.textContent!.trim()).toBe(t('home.autoOut', { time: at(later.auto_out) }));
  unmount();
  clearMocks();
  // Checked in late in the evening: it closes after midnight, which the day says.
  mockIPC((cmd) => (cmd === 'open_visit' ? market : null));
  render(Home, { platform: 'linux' });
  const other = await screen.findByTestId('auto-out');
  expect(other.textContent!.trim()).toBe(t('home.autoOut', { time: formatDateTime(market.auto_out!, 'vi') }));
});

test('with the app lock closed the open visit and the one closed name no place', async () => {
  const unnamed = (v: Visit): Visit => ({ ...v, name: '', address: '' });
  mockIPC((cmd) => {
    if (cmd === 'open_visit') return unnamed(market);
    if (cmd === 'check_in') return { ...post, closed: unnamed(closedByScan) };
    throw new Error(`unexpected ${cmd}`);
  });
  render(Home, { platform: 'linux', locked: true });
  expect(await screen.findByTestId('open-visit-hidden')).toHaveTextContent(get(_)('home.hereHidden'));
  await typeCode('https://x/v/1#a');
  const notice = await screen.findByTestId('notice');
  expect(notice.textContent!.trim()).toBe(
    `${t('home.checkedOutUnnamed', { time: at(closedByScan.time_out!) })} ${t('home.checkedIn', { name: 'Bưu điện tỉnh' })}`,
  );
});

test('asked about a duplicate, keeping the visit already recorded comes first and stands out', async () => {
  mockIPC((cmd) => {
    if (cmd === 'open_visit') return null;
    throw { kind: 'duplicate_visit', message: 'duplicate', detail: { name: 'Chợ Xanh Cao Bằng', time_in: market.time_in } };
  });
  render(Home, { platform: 'linux' });
  await typeCode('https://x/v/1#a');
  const ask = await screen.findByTestId('duplicate');
  const buttons = Array.from(ask.querySelectorAll('button'));
  expect(buttons.map((b) => b.dataset.testid)).toEqual(['duplicate-no', 'duplicate-yes']);
  expect(buttons[0]).toHaveClass('primary');
  expect(buttons[1]).not.toHaveClass('primary');
  expect(document.activeElement).toBe(buttons[0]);
});

test('a venue link that closed the visit before says so before closing', async () => {
  mockIPC((cmd) => {
    if (cmd === 'preview_code') return { ...post, origin: 'vd1', signature: 'verified' };
    if (cmd === 'check_in') return { ...post, closed: closedByScan };
    throw new Error(`unexpected ${cmd}`);
  });
  const onclose = vi.fn();
  render(Confirm, { text: 'https://yte.example/v/1#abc', onclose });
  await screen.findByTestId('confirm-name');
  await fireEvent.click(screen.getByRole('button', { name: get(_)('confirm.checkIn') }));
  const done = await screen.findByTestId('confirm-done');
  expect(done).toHaveTextContent(t('home.checkedOut', { name: 'Chợ Xanh Cao Bằng', time: at(closedByScan.time_out!) }));
  expect(onclose).not.toHaveBeenCalled();
  await fireEvent.click(screen.getByRole('button', { name: get(_)('confirm.close') }));
  expect(onclose).toHaveBeenCalled();
});

test('when the app lock closes, what a check-in said and the place of the open visit go', async () => {
  let locked = false;
  const unnamed = (v: Visit): Visit => ({ ...v, name: '', address: '' });
  mockIPC((cmd) => {
    if (cmd === 'open_visit') return locked ? unnamed(post) : post;
    if (cmd === 'check_in') return { ...post, closed: closedByScan };
    throw new Error(`unexpected ${cmd}`);
  });
  const { rerender } = render(Home, { platform: 'linux', locked: false });
  await typeCode('https://x/v/1#a');
  expect(await screen.findByTestId('notice')).toHaveTextContent('Chợ Xanh Cao Bằng');
  locked = true;
  await rerender({ platform: 'linux', locked: true });
  expect(await screen.findByTestId('open-visit-hidden')).toBeInTheDocument();
  expect(screen.queryByTestId('notice')).toBeNull();
  expect(document.body.textContent).not.toContain('Bưu điện tỉnh');
  expect(document.body.textContent).not.toContain('Chợ Xanh Cao Bằng');
});
