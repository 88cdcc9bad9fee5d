import { render, screen, fireEvent, waitFor } from '@testing-library/svelte';
import { mockIPC, clearMocks } from '@tauri-apps/api/mocks';
import Share from './Share.svelte';
import { review as fixture, visit } from '../test-fixtures';

const review = fixture([visit(1, 'Chợ Xanh'), visit(2, 'Trạm Y tế'), visit(3, 'Nhà văn hóa Tổ 5')]);

afterEach(() => clearMocks());

test('the citizen sees who asks and why, unticks a visit, and the button names what will go', async () => {
  let sent: unknown = null;
  mockIPC((cmd, args) => {
    if (cmd === 'fetch_share_request') return review;
    if (cmd === 'share_visits') {
      sent = args;
      return {
        share: { id: 1, visit_count: 2, department: 'Sở Y tế Cao Bằng', status: 'uploaded', check_digits: '0427' },
        delivered: true,
        problem: null,
      };
    }
  });
  render(Share);
  await fireEvent.input(screen.getByLabelText('Mã yêu cầu cán bộ đọc cho bạn'), {
    target: { value: '7kq2 m9xd 4rta' },
  });
  await fireEvent.click(screen.getByTestId('fetch-request'));
  expect(await screen.findByTestId('share-purpose')).toHaveTextContent('Truy vết ca bệnh số 12');
  expect(screen.getByTestId('share-department')).toHaveTextContent('Sở Y tế Cao Bằng');
  const boxes = screen.getAllByRole('checkbox');
  expect(boxes).toHaveLength(3);
  boxes.forEach((b) => expect(b).toBeChecked());
  expect(screen.getByTestId('consent')).toHaveTextContent('Chia sẻ 3 lượt ghé với Sở Y tế Cao Bằng');
  await fireEvent.click(boxes[1]);
  expect(screen.getByTestId('consent')).toHaveTextContent('Chia sẻ 2 lượt ghé với Sở Y tế Cao Bằng');
  await fireEvent.click(screen.getByTestId('consent'));
  expect(await screen.findByTestId('share-result')).toHaveTextContent(
    'Đã gửi 2 lượt ghé cho Sở Y tế Cao Bằng.',
  );
  // The four digits to read to the tracer, who sees the same beside the diary received.
  expect(screen.getByTestId('share-check-digits')).toHaveTextContent('Mã đối chiếu: 0427');
  expect(sent).toEqual({ code: '7KQ2-M9XD-4RTA', visitIds: [1, 3] });
});

test('nothing ticked, nothing to send; cancel goes back and sends nothing', async () => {
  const calls: string[] = [];
  mockIPC((cmd) => {
    calls.push(cmd);
    if (cmd === 'fetch_share_request') return { ...review, visits: [visit(1, 'Chợ Xanh')] };
  });
  render(Share);
  await fireEvent.input(screen.getByLabelText('Mã yêu cầu cán bộ đọc cho bạn'), {
    target: { value: '7KQ2-M9XD-4RTA' },
  });
  await fireEvent.click(screen.getByTestId('fetch-request'));
  await fireEvent.click(await screen.findByRole('checkbox'));
  expect(screen.getByTestId('consent')).toBeDisabled();
    await fireEvent.click(screen.getByTestId('cancel-share'));
  expect(await screen.findByTestId('fetch-request')).toBeInTheDocument();
  // The request is forgotten; nothing was sealed or sent (the sharing log below is only read).
  expect(calls.filter((c) => c !== 'list_shares')).toEqual(['fetch_share_request', 'forget_share_request']);
});

test.each([
  ['share_untrusted', 'Không xác thực được yêu cầu này là của cơ quan y tế mà ứng dụng tin cậy'],
  ['share_expired', 'Yêu cầu này đã hết hạn'],
  ['share_network', 'Không kết nối được với cơ quan y tế'],
  ['share_unknown_code', 'Không có yêu cầu nào với mã này'],
])('a request that fails with %s says so in one sentence', async (kind, words) => {
  mockIPC((cmd) => {
    if (cmd === 'fetch_share_request') throw { kind, message: 'x' };
  });
  render(Share);
  await fireEvent.input(screen.getByLabelText('Mã yêu cầu cán bộ đọc cho bạn'), {
    target: { value: '7KQ2-M9XD-4RTA' },
  });
  await fireEvent.click(screen.getByTestId('fetch-request'));
  await waitFor(() => expect(screen.getByTestId('share-notice')).toHaveTextContent(words));
  expect(screen.queryByTestId('consent')).not.toBeInTheDocument();
});

test('a request for part of a day says from which minute to which', async () => {
  mockIPC((cmd) => {
    if (cmd === 'fetch_share_request') return { ...review, from: '2026-11-28 14:00', to: '2026-11-28 18:00' };
  });
  render(Share);
  await fireEvent.input(screen.getByLabelText('Mã yêu cầu cán bộ đọc cho bạn'), {
    target: { value: '7KQ2-M9XD-4RTA' },
  });
  await fireEvent.click(screen.getByTestId('fetch-request'));
  expect(await screen.findByTestId('share-range')).toHaveTextContent(
    'Từ 28/11/2026 14:00 đến 28/11/2026 18:00 (giờ Việt Nam)',
  );
});
