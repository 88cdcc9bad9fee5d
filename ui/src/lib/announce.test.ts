import { isPermissionGranted, requestPermission, sendNotification } from '@tauri-apps/plugin-notification';
import { setLanguage } from './i18n';
import { announce, announcement } from './announce';
import type { Alert } from './api';

vi.mock('@tauri-apps/plugin-notification', () => ({
  isPermissionGranted: vi.fn(),
  requestPermission: vi.fn(),
  sendNotification: vi.fn(),
  Visibility: { Private: 0 },
}));

const alert = (level: Alert['level'], name: string): Alert => ({
  authority: 'Sở Y tế Cao Bằng',
  notice_id: 1,
  visit: {
    id: 1,
    origin: 'vd1',
    signature: 'verified',
    venue_id: 'x',
    name,
    address: 'Phường Thục Phán',
    unit_code: 1273,
    sector: 'market',
    usual_stay_minutes: 60,
    key_id: 'k',
    authority: 'Sở Y tế Cao Bằng',
    time_in: '2026-11-29T01:05:00Z',
    time_out: null,
    checkout: null,
    note: '',
    edited_at: null,
  },
  window_from: '2026-11-29T01:00:00Z',
  window_to: '2026-11-29T03:00:00Z',
  level,
  advice_vi: 'Đi xét nghiệm',
  advice_en: 'Get tested',
  created_at: '2026-11-29T05:00:00Z',
  notified: false,
});

beforeEach(() => {
  vi.mocked(sendNotification).mockReset();
  vi.mocked(isPermissionGranted).mockReset();
  vi.mocked(requestPermission).mockReset();
  setLanguage('vi');
});

test('the notification speaks Vietnamese, names the level and never the place', () => {
  const one = announcement([alert('monitor', 'Chợ Xanh')]);
  expect(one.title).toBe('Cảnh báo tiếp xúc');
  expect(one.body).toMatch(/^Một lượt ghé của bạn .*theo dõi sức khỏe/);
  expect(one.body).not.toContain('Chợ Xanh');

  // Found together: one notification, the more urgent level, the count.
  const two = announcement([alert('monitor', 'Chợ Xanh'), alert('test', 'Trạm Y tế')]);
  expect(two.body).toMatch(/^2 lượt ghé của bạn .*đi xét nghiệm/);

  setLanguage('en');
  expect(announcement([alert('test', 'Chợ Xanh')]).body).toMatch(/^One of your visits .*Get tested/);
});

test('new alerts raise one notification, after asking for permission when needed', async () => {
  vi.mocked(isPermissionGranted).mockResolvedValue(false);
  vi.mocked(requestPermission).mockResolvedValue('granted');
  await announce([alert('test', 'Chợ Xanh'), alert('test', 'Trạm Y tế')]);
  expect(requestPermission).toHaveBeenCalledOnce();
  expect(sendNotification).toHaveBeenCalledOnce();
  expect(vi.mocked(sendNotification).mock.calls[0][0]).toMatchObject({ title: 'Cảnh báo tiếp xúc', visibility: 0 });
});

test('nothing is raised without new alerts or without permission', async () => {
  await announce([]);
  expect(isPermissionGranted).not.toHaveBeenCalled();

  vi.mocked(isPermissionGranted).mockResolvedValue(false);
  vi.mocked(requestPermission).mockResolvedValue('denied');
  await announce([alert('test', 'Chợ Xanh')]);
  expect(sendNotification).not.toHaveBeenCalled();
});
