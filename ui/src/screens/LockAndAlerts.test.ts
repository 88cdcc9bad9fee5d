// The app lock's words before it costs something (a forgotten PIN loses the diary; deleting
// everything asks for the PIN; "Khoá ngay"), an in-progress visit on the review before sharing,
// a withdrawn alert said rather than dropped, and a computer without a camera.
import { render, screen, fireEvent } from '@testing-library/svelte';
import { mockIPC, clearMocks } from '@tauri-apps/api/mocks';
import { get } from 'svelte/store';
import { _ } from 'svelte-i18n';
import Settings from './Settings.svelte';
import Alerts from './Alerts.svelte';
import Share from './Share.svelte';
import Home from './Home.svelte';
import type { AppInfo, LockStatus } from '../lib/api';
import { alert, review, visit } from '../test-fixtures';
import { formatDate, formatTime } from '../lib/i18n';
import { fakePhone } from '../lib/fakePhone';
import { resetPhone, setPlatform } from '../lib/phone';

afterEach(() => clearMocks());

const t = (key: string, values?: Record<string, string>) => get(_)(key, values ? { values } : undefined);
const info: AppInfo = {
  version: '0.1.0', platform: 'linux', data_dir: '/data', key_location: { kind: 'key_store', name: 'Secret Service' },
  error: null, authorities: ['Sở Y tế Cao Bằng'], locales: [],
};
const status = (enabled: boolean, unlocked: boolean): LockStatus => ({ enabled, unlocked, biometrics: false, wait_seconds: 0 });

function ipc(calls: [string, unknown][], answers: Record<string, unknown> = {}) {
  mockIPC((cmd, args) => {
    calls.push([cmd, args]);
    if (cmd in answers) return answers[cmd];
    if (cmd === 'get_retention') return { days: 21, choices: [14, 21, 30, 60] };
    if (cmd === 'count_visits') return 2;
    if (cmd === 'list_shares' || cmd === 'list_alerts') return [];
    return null;
  });
}

test('setting a PIN says a forgotten PIN loses the diary, and asks to confirm', async () => {
  const calls: [string, unknown][] = [];
  ipc(calls);
  render(Settings, { info, lock: status(false, false) });
  await fireEvent.click(screen.getByTestId('lock-on'));
  expect(screen.getByTestId('pin-warning')).toHaveTextContent(t('settings.pinWarning'));
  await fireEvent.input(screen.getByTestId('pin-new'), { target: { value: '2468' } });
  await fireEvent.input(screen.getByTestId('pin-again'), { target: { value: '2468' } });
  await fireEvent.click(screen.getByTestId('save-lock'));
  expect(await screen.findByTestId('lock-notice')).toHaveTextContent(t('settings.pinWarningNeeded'));
  expect(calls.some(([c]) => c === 'set_pin')).toBe(false);
  await fireEvent.click(screen.getByTestId('pin-understood'));
  await fireEvent.click(screen.getByTestId('save-lock'));
  await vi.waitFor(() => expect(calls.some(([c]) => c === 'set_pin')).toBe(true));
});

test('with the lock on and open, deleting everything asks for the PIN; "Khoá ngay" closes it', async () => {
  const calls: [string, unknown][] = [];
  ipc(calls);
  const onlockchange = vi.fn();
  render(Settings, { info, lock: status(true, true), onlockchange });
  await fireEvent.click(screen.getByTestId('erase'));
  await screen.findByTestId('erase-question');
  const yes = screen.getByTestId('erase-yes');
  expect(yes).toBeDisabled();
  await fireEvent.input(screen.getByTestId('erase-pin'), { target: { value: '2468' } });
  await fireEvent.click(yes);
  await vi.waitFor(() => expect(calls.find(([c]) => c === 'delete_all_data')?.[1]).toEqual({ pin: '2468' }));

  await fireEvent.click(screen.getByTestId('lock-now'));
  await vi.waitFor(() => expect(onlockchange).toHaveBeenCalled());
  expect(calls.some(([c]) => c === 'lock_app')).toBe(true);
});

test('opened with a fingerprint, someone who forgot the PIN is told to lock first, from the delete question', async () => {
  const calls: [string, unknown][] = [];
  ipc(calls);
  const onlockchange = vi.fn();
  render(Settings, { info, lock: status(true, true), onlockchange });
  await fireEvent.click(screen.getByTestId('erase'));
  expect(await screen.findByTestId('erase-forgot-open')).toHaveTextContent(t('settings.deleteForgotOpen'));
  await fireEvent.click(screen.getByTestId('erase-lock-now'));
  await vi.waitFor(() => expect(onlockchange).toHaveBeenCalled());
  expect(calls.some(([c]) => c === 'lock_app')).toBe(true);
  expect(calls.some(([c]) => c === 'delete_all_data')).toBe(false);
});

test('with the lock closed, deleting everything is the forgotten-PIN way, and says so', async () => {
  const calls: [string, unknown][] = [];
  ipc(calls);
  render(Settings, { info, lock: status(true, false) });
  expect(screen.queryByTestId('lock-now')).toBeNull();
  await fireEvent.click(screen.getByTestId('erase'));
  expect(await screen.findByTestId('erase-forgot')).toHaveTextContent(t('settings.deleteForgot'));
  expect(screen.queryByTestId('erase-pin')).toBeNull();
  await fireEvent.click(screen.getByTestId('erase-yes'));
  await vi.waitFor(() => expect(calls.find(([c]) => c === 'delete_all_data')?.[1]).toEqual({ forgotten: true }));
});

test('a visit still in progress is marked on the review, with what the tracer will count', async () => {
  const later = new Date();
  later.setHours(10, 5, 0, 0);
  const open = { ...visit(1, 'Chợ Xanh Cao Bằng'), auto_out: later.toISOString() };
  const closed = { ...visit(2, 'Bưu điện tỉnh'), time_out: '2026-11-22T02:00:00Z', auto_out: null };
  mockIPC((cmd) => {
    if (cmd === 'fetch_share_request') return review([open, closed]);
    if (cmd === 'list_shares') return [];
    return null;
  });
  render(Share, { platform: 'linux' });
  await fireEvent.input(screen.getByLabelText(t('share.codeLabel')), { target: { value: '7KQ2-M9XD-4RTA' } });
  await fireEvent.click(screen.getByTestId('fetch-request'));
  const marks = await screen.findAllByTestId('share-in-progress');
  expect(marks).toHaveLength(1);
  const note = screen.getByTestId('share-in-progress-note');
  expect(note).toHaveTextContent(t('share.inProgressNote', { name: 'Chợ Xanh Cao Bằng', time: formatTime(open.auto_out!, 'vi') }));
  // Unticked, it is not sent: the note goes.
  await fireEvent.click(screen.getAllByRole('checkbox')[0]);
  expect(screen.queryByTestId('share-in-progress-note')).toBeNull();
});

test('a withdrawn alert is said, and when the lists were last checked', () => {
  const v = visit(3, 'Chợ Xanh Cao Bằng');
  render(Alerts, {
    alerts: [],
    withdrawn: [{ authority: 'Sở Y tế Cao Bằng', notice_id: 10, visit: v, withdrawn_at: '2026-11-24T03:00:00Z' }],
    checkedAt: '2026-11-24T04:00:00Z',
    problems: [],
    busy: false,
    onrefresh: () => {},
  });
  expect(screen.getByTestId('alert-withdrawn')).toHaveTextContent(
    t('alerts.withdrawn', { name: 'Chợ Xanh Cao Bằng', day: formatDate(v.time_in, 'vi') }),
  );
  expect(screen.getByTestId('checked-at')).toHaveTextContent(
    t('alerts.checkedAt', { time: `${formatTime('2026-11-24T04:00:00Z', 'vi')} ${formatDate('2026-11-24T04:00:00Z', 'vi')}` }),
  );
});

test('"Dùng camera" on a computer without a camera says what to do instead', async () => {
  Object.defineProperty(navigator, 'mediaDevices', {
    configurable: true,
    value: { getUserMedia: () => Promise.reject(new DOMException('none', 'NotFoundError')) },
  });
  mockIPC((cmd) => (cmd === 'open_visit' ? null : null));
  render(Home, { platform: 'linux' });
  await fireEvent.click(screen.getByTestId('open-camera'));
  expect(await screen.findByTestId('notice')).toHaveTextContent(t('errors.camera_missing'));
  Object.defineProperty(navigator, 'mediaDevices', {
    configurable: true,
    value: { getUserMedia: () => Promise.reject(new DOMException('no', 'NotAllowedError')) },
  });
  await fireEvent.click(screen.getByTestId('open-camera'));
  await vi.waitFor(() => expect(screen.getByTestId('notice')).toHaveTextContent(t('errors.camera_denied')));
});

/** Two alerts: one of an authority with a hotline, one of an authority without. */
const twoAlerts = () =>
  render(Alerts, {
    alerts: [alert('Sở Y tế Cao Bằng', 1), alert('Sở Y tế Bắc Kạn', 2)],
    hotlines: { 'Sở Y tế Cao Bằng': '0206 3852 123' },
    problems: [],
    busy: false,
    onrefresh: () => {},
  });

test("an alert's next steps name the authority's hotline where its trust file gives one, and 115 only for an emergency", () => {
  twoAlerts();
  const [withHotline, without] = screen.getAllByTestId('alert-next');
  expect(withHotline).toHaveTextContent(
    'Nếu có triệu chứng, hãy gọi đường dây nóng của Sở Y tế Cao Bằng: 0206 3852 123, hoặc báo trạm y tế xã, phường nơi bạn ở. Khi khó thở, gọi cấp cứu 115.',
  );
  expect(without).toHaveTextContent(t('alerts.next'));
  expect(without).not.toHaveTextContent('0206');
  // A computer cannot call: the number is text to read.
  expect(screen.queryByTestId('alert-call')).toBeNull();
});

describe('on a phone', () => {
  afterEach(() => resetPhone());


  test("an alert's hotline is a button that opens the dialler with its number; none without a hotline", async () => {
    const phone = fakePhone();
    setPlatform('android');
    twoAlerts();
    const [call, ...others] = screen.getAllByTestId('alert-call');
    expect(others).toEqual([]);
    expect(call).toHaveTextContent('Gọi đường dây nóng 0206 3852 123');
    await fireEvent.click(call);
    await vi.waitFor(() =>
      expect(phone.calls.filter((c) => c.cmd === 'plugin:phone|dial').map((c) => c.args)).toEqual([{ number: '0206 3852 123' }]),
    );
    expect(screen.queryByTestId('alert-call-failed')).toBeNull();
  });

  test('a device that cannot call says so, with the number to call from a phone', async () => {
    const phone = fakePhone();
    phone.canCall = false;
    setPlatform('ios');
    twoAlerts();
    await fireEvent.click(screen.getByTestId('alert-call'));
    expect(await screen.findByTestId('alert-call-failed')).toHaveTextContent(
      'Máy này không gọi điện được. Hãy dùng điện thoại để gọi số 0206 3852 123.',
    );
  });
});
