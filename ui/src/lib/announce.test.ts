import { isPermissionGranted, requestPermission, sendNotification, createChannel } from '@tauri-apps/plugin-notification';
import { setLanguage } from './i18n';
import { announce, announcement, CHANNEL } from './announce';
import { setPlatform, resetPhone } from './phone';

vi.mock('@tauri-apps/plugin-notification', () => ({
  isPermissionGranted: vi.fn(),
  requestPermission: vi.fn(),
  sendNotification: vi.fn(),
  createChannel: vi.fn(),
  Visibility: { Private: 0 },
  Importance: { High: 4 },
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
  expect(one.body).toMatch(/^Một lượt ghé của bạn .*theo dõi sức khoẻ/);

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

test('on Android the alerts have a channel of their own, named in the person\'s language', async () => {
  vi.mocked(isPermissionGranted).mockResolvedValue(true);
  setPlatform('android');
  try {
    await announce(['monitor']);
    expect(createChannel).toHaveBeenCalledWith(expect.objectContaining({
      id: CHANNEL, name: 'Cảnh báo tiếp xúc', importance: 4, visibility: 0,
    }));
    expect(vi.mocked(sendNotification).mock.calls[0][0]).toMatchObject({ channelId: CHANNEL, visibility: 0 });
  } finally {
    resetPhone();
  }
  // Elsewhere there are no channels (iOS and desktops refuse them).
  vi.mocked(createChannel).mockClear();
  setPlatform('ios');
  try {
    await announce(['monitor']);
    expect(createChannel).not.toHaveBeenCalled();
    expect(vi.mocked(sendNotification).mock.calls[1][0]).not.toHaveProperty('channelId');
  } finally {
    resetPhone();
  }
});
