import { render, screen, fireEvent, waitFor } from '@testing-library/svelte';
import { locale } from 'svelte-i18n';
import Settings from './Settings.svelte';
import type { AppInfo } from '../lib/api';

const info = (key_location: AppInfo['key_location']): AppInfo => ({
  version: '0.1.0',
  platform: 'linux',
  data_dir: '/data',
  key_location,
  error: null,
  authorities: ['Sở Y tế Cao Bằng'],
  locales: [],
});

afterEach(() => locale.set('vi'));

test('a key in a file instead of a key store is said plainly', () => {
  render(Settings, { info: info({ kind: 'file', path: '/data/diary.key' }) });
  expect(screen.getByTestId('key-location')).toHaveTextContent(
    'Máy này không có nơi an toàn để cất chìa khoá mở nhật ký, nên chìa khoá nằm ngay cạnh nhật ký',
  );
});

test('a key in the key store names the store', () => {
  render(Settings, { info: info({ kind: 'key_store', name: 'Secret Service' }) });
  expect(screen.getByTestId('key-location')).toHaveTextContent('nơi máy giữ mật khẩu (Secret Service)');
});

test('switching to English translates the screen', async () => {
  render(Settings, { info: info({ kind: 'key_store', name: 'Secret Service' }) });
  expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Cài đặt và thông tin');
  await fireEvent.change(screen.getByLabelText('Ngôn ngữ'), { target: { value: 'en' } });
  expect(await screen.findByRole('heading', { level: 1 })).toHaveTextContent('Settings and about');
  expect(document.documentElement.lang).toBe('en');
});

test('the retention choice is saved and says what went; deleting everything names it first', async () => {
  const { mockIPC, clearMocks } = await import('@tauri-apps/api/mocks');
  const calls: [string, unknown][] = [];
  mockIPC((cmd, args) => {
    calls.push([cmd, args]);
    if (cmd === 'get_retention') return { days: 21, choices: [14, 21, 30, 60] };
    if (cmd === 'set_retention') return 3;
    if (cmd === 'count_visits') {
      // Two visits, begun 1 and 20 days ago.
      const before = (args as { before?: string }).before;
      const times = [1, 20].map((days) => Date.now() - days * 86_400_000);
      return before ? times.filter((t) => t < Date.parse(before)).length : times.length;
    }
    if (cmd === 'list_alerts') return [];
    if (cmd === 'delete_all_data') return null;
    if (cmd === 'list_shares') return [];
    throw new Error(`unexpected ${cmd}`);
  });
  const erased = vi.fn();
  render(Settings, {
    info: info({ kind: 'key_store', name: 'Secret Service' }),
    lock: { enabled: false, unlocked: false, biometrics: false, wait_seconds: 0 },
    onerased: erased,
  });
  const retention = await screen.findByTestId('retention');
  await fireEvent.change(retention, { target: { value: '14' } });
  // Shorter, with a visit older than that: asked first, nothing deleted yet.
  expect(await screen.findByTestId('retention-question')).toHaveTextContent(
    'Giữ 14 ngày sẽ xoá ngay 1 lượt ghé cũ hơn.',
  );
  expect(calls.some(([c]) => c === 'set_retention')).toBe(false);
  expect(document.activeElement).toHaveTextContent('Giữ như cũ');
  await fireEvent.click(screen.getByTestId('retention-yes'));
  expect(await screen.findByTestId('retention-notice')).toHaveTextContent('Đã lưu và đã xoá 3 lượt ghé cũ hơn.');
  expect(calls).toContainEqual(['set_retention', { days: 14 }]);

  await fireEvent.click(screen.getByTestId('erase'));
  expect(await screen.findByTestId('erase-question')).toHaveTextContent(
    'Xoá 2 lượt ghé, 0 lần chia sẻ, 0 cảnh báo và mọi cài đặt?',
  );
  expect(calls.some(([c]) => c === 'delete_all_data')).toBe(false);
  expect(document.activeElement).toHaveTextContent('Không xoá');
  await fireEvent.click(screen.getByTestId('erase-yes'));
  await waitFor(() => expect(erased).toHaveBeenCalledOnce());
  expect(erased.mock.calls[0][0]).toMatch(/^Đã xoá toàn bộ dữ liệu\./);
  expect(calls.filter(([c]) => c === 'delete_all_data')).toHaveLength(1);
  clearMocks();
});
