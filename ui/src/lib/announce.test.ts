import { isPermissionGranted, requestPermission, sendNotification } from '@tauri-apps/plugin-notification';
import { setLanguage } from './i18n';
import { announce, announcement } from './announce';

vi.mock('@tauri-apps/plugin-notification', () => ({
  isPermissionGranted: vi.fn(),
  requestPermission: vi.fn(),
  sendNotification: vi.fn(),
  Visibility: { Private: 0 },
}));

beforeEach(() => {
  vi.mocked(sendNotification).mockReset();
  vi.mocked(isPermissionGranted).mockReset();
  vi.mocked(requestPermission).mockReset();
  setLanguage('vi');
});

test('the notification speaks Vietnamese and names the level and the count, nothing else', () => {
  const one = announcement(['monitor']);
  expect(one.title).toBe('Cảnh báo tiếp xúc');
  expect(one.body).toMatch(/^Một lượt ghé của bạn .*theo dõi sức khỏe/);

  // Found together: one notification, the more urgent level, the count.
  const two = announcement(['monitor', 'test']);
  expect(two.body).toMatch(/^2 lượt ghé của bạn .*đi xét nghiệm/);

  setLanguage('en');
  expect(announcement(['test']).body).toMatch(/^One of your visits .*Get tested/);
});

test('new alerts raise one notification, after asking for permission when needed', async () => {
  vi.mocked(isPermissionGranted).mockResolvedValue(false);
  vi.mocked(requestPermission).mockResolvedValue('granted');
  await announce(['test', 'test']);
  expect(requestPermission).toHaveBeenCalledOnce();
  expect(sendNotification).toHaveBeenCalledOnce();
  expect(vi.mocked(sendNotification).mock.calls[0][0]).toMatchObject({ title: 'Cảnh báo tiếp xúc', visibility: 0 });
});

test('nothing is raised without new alerts or without permission', async () => {
  await announce([]);
  expect(isPermissionGranted).not.toHaveBeenCalled();

  vi.mocked(isPermissionGranted).mockResolvedValue(false);
  vi.mocked(requestPermission).mockResolvedValue('denied');
  await announce(['test']);
  expect(sendNotification).not.toHaveBeenCalled();
});
