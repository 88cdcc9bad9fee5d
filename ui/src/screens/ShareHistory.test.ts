import { render, screen, fireEvent, waitFor, within } from '@testing-library/svelte';
import { mockIPC, clearMocks } from '@tauri-apps/api/mocks';
import { locale } from 'svelte-i18n';
import ShareHistory from './ShareHistory.svelte';
import en from '../locales/en.json';
import vi from '../locales/vi.json';

const share = (id: number, status: string, extra: object = {}) => ({
  id,
  created_at: '2026-11-29T03:00:00Z',
  authority: 'Sở Y tế Cao Bằng',
  department: 'Sở Y tế Cao Bằng',
  request_id: '04',
  code: '7KQ2-M9XD-4RTA',
  purpose: 'Truy vết ca bệnh số 12',
  date_from: '2026-11-09',
  date_to: '2026-11-29',
  visit_count: 2,
  status,
  delivered_at: null,
  note: null,
  expires_at: '2026-12-01T00:00:00Z',
  check_digits: null,
  visits: [
    {
      name: 'Chợ Xanh',
      address: 'Phường Thục Phán',
      unit: 1273,
      venue_id: 'v1',
      origin: 'vd1',
      time_in: '2026-11-25T01:05:00Z',
      time_out: '2026-11-25T02:00:00Z',
    },
    {
      name: 'Nhà bà Lan',
      address: 'Tổ 3',
      unit: null,
      venue_id: null,
      origin: 'manual',
      time_in: '2026-11-26T01:05:00Z',
      time_out: '2026-11-26T02:00:00Z',
    },
  ],
  ...extra,
});

afterEach(() => {
  clearMocks();
  locale.set('vi');
});

test('each share says to whom, which request, why, which days, when and how, and lists what left', async () => {
  mockIPC((cmd) => {
    if (cmd === 'list_shares')
      return [
        share(2, 'uploaded', { delivered_at: '2026-11-29T03:01:00Z' }),
        // Logged before the app kept the list: only the count.
        share(1, 'uploaded', { id: 1, visits: null, visit_count: 3, delivered_at: '2026-11-20T03:01:00Z' }),
      ];
  });
  render(ShareHistory);
  const [entry, old] = await screen.findAllByTestId('share-log');
  expect(entry).toHaveTextContent('Người nhận: Sở Y tế Cao Bằng');
  expect(entry).toHaveTextContent('2 lượt ghé · yêu cầu 7KQ2-M9XD-4RTA');
  expect(within(entry).getByTestId('share-purpose')).toHaveTextContent('Để làm gì: Truy vết ca bệnh số 12');
  expect(entry).toHaveTextContent('Khoảng thời gian: từ 09/11/2026 đến 29/11/2026');
  expect(within(entry).getByTestId('share-consented')).toHaveTextContent('Bạn đồng ý lúc: 29/11/2026');
  expect(within(entry).getByTestId('share-status')).toHaveTextContent('Đã gửi qua mạng');
  expect(within(entry).getByTestId('share-delivered')).toHaveAttribute('datetime', '2026-11-29T03:01:00Z');
  const list = within(entry).getByTestId('share-visits');
  expect(list.tagName).toBe('DETAILS');
  expect(list).not.toHaveAttribute('open');
  expect(within(list).getByText('2 lượt ghé đã rời điện thoại')).toBeInTheDocument();
  const sent = within(list).getAllByTestId('share-visit-sent');
  expect(sent).toHaveLength(2);
  expect(sent[0]).toHaveTextContent('Chợ Xanh');
  expect(sent[0]).toHaveTextContent('Phường Thục Phán');
  expect(sent[0]).toHaveTextContent('Mã QR của địa điểm');
  expect(sent[1]).toHaveTextContent('Nhập tay');
  // A delivered share offers nothing more to do.
  expect(within(entry).queryByTestId('share-retry')).not.toBeInTheDocument();

  expect(old).toHaveTextContent('3 lượt ghé · yêu cầu 7KQ2-M9XD-4RTA');
  expect(within(old).queryByTestId('share-visits')).not.toBeInTheDocument();
  expect(within(old).getByTestId('share-visits-not-kept')).toHaveTextContent(vi.share.log.notKept);
});

test('a retry that does not deliver says why, in the Share screen’s words', async () => {
  const calls: string[] = [];
  mockIPC((cmd) => {
    calls.push(cmd);
    if (cmd === 'list_shares') return [share(1, 'pending')];
    if (cmd === 'retry_share')
      return {
        share: share(1, 'pending'),
        delivered: false,
        problem: { kind: 'share_upload_network', message: 'connection refused' },
      };
  });
  render(ShareHistory);
  await fireEvent.click(await screen.findByTestId('share-retry'));
  expect(await screen.findByTestId('share-outcome')).toHaveTextContent(vi.share.errors.share_upload_network);
  expect(screen.getByTestId('share-outcome')).toHaveAttribute('role', 'alert');
  expect(within(screen.getByTestId('share-visits')).getByText('2 lượt ghé đã chuẩn bị, chưa gửi')).toBeInTheDocument();
  await waitFor(() => expect(calls).toEqual(['list_shares', 'retry_share', 'list_shares']));
});

test('a share kept as a file can be retried too, and a delivered retry says so', async () => {
  let status = 'file';
  mockIPC((cmd) => {
    if (cmd === 'list_shares') return [share(1, status, { note: '/home/lan/Downloads/a.vdshare' })];
    if (cmd === 'retry_share') {
      status = 'uploaded';
      return { share: share(1, 'uploaded'), delivered: true, problem: null };
    }
  });
  render(ShareHistory);
  const entry = await screen.findByTestId('share-log');
  expect(within(entry).getByTestId('share-status')).toHaveTextContent('Đã lưu thành tệp: /home/lan/Downloads/a.vdshare');
  expect(within(entry).getByTestId('share-save')).toBeInTheDocument();
  await fireEvent.click(within(entry).getByTestId('share-retry'));
  expect(await screen.findByTestId('share-outcome')).toHaveTextContent('Đã gửi 2 lượt ghé cho Sở Y tế Cao Bằng.');
  await waitFor(() => expect(screen.queryByTestId('share-retry')).not.toBeInTheDocument());
});

test.each([
  ['share_upload_failed', en.share.errors.share_upload_failed],
  ['share_upload_answered', en.share.errors.share_upload_answered],
  ['share_upload_expired', en.share.errors.share_upload_expired],
  ['share_upload_untrusted', en.share.errors.share_upload_untrusted],
])('in English, a retry answered with %s says so', async (kind, sentence) => {
  locale.set('en');
  mockIPC((cmd) => {
    if (cmd === 'list_shares') return [share(1, 'pending')];
    if (cmd === 'retry_share') return { share: share(1, 'pending'), delivered: false, problem: { kind, message: 'x' } };
  });
  render(ShareHistory);
  const entry = await screen.findByTestId('share-log');
  expect(entry).toHaveTextContent('Recipient: Sở Y tế Cao Bằng');
  expect(entry).toHaveTextContent('What for: Truy vết ca bệnh số 12');
  expect(entry).toHaveTextContent('Not sent yet (still on the phone)');
  await fireEvent.click(within(entry).getByTestId('share-retry'));
  expect(await screen.findByTestId('share-outcome')).toHaveTextContent(sentence);
});

test('an error thrown by retry is said too, not swallowed', async () => {
  mockIPC((cmd) => {
    if (cmd === 'list_shares') return [share(1, 'pending')];
    if (cmd === 'retry_share') throw { kind: 'locked', message: 'the app lock is on' };
  });
  render(ShareHistory);
  await fireEvent.click(await screen.findByTestId('share-retry'));
  expect(await screen.findByTestId('share-outcome')).toHaveTextContent(vi.errors.locked);
});

test('visits past the retention leave the list, and the entry says how many went', async () => {
  const trimmed = share(3, 'uploaded', { visit_count: 3 });
  mockIPC((cmd) => (cmd === 'list_shares' ? [trimmed] : null));
  render(ShareHistory);
  const gone = await screen.findByTestId('share-visits-gone');
  expect(gone).toHaveTextContent('1 lượt ghé không còn trong danh sách');
  expect(screen.getAllByTestId('share-visit-sent')).toHaveLength(2);
  expect(screen.getByTestId('share-visits')).toHaveTextContent('3 lượt ghé đã rời điện thoại');
});
