import { render, screen, fireEvent, waitFor } from '@testing-library/svelte';
import { mockIPC, clearMocks } from '@tauri-apps/api/mocks';
import Diary from './Diary.svelte';
import type { PageMark, Visit } from '../lib/api';

afterEach(() => clearMocks());

const market: Visit = {
  id: 2, origin: 'vd1', signature: 'verified', venue_id: 'b', name: 'Nhà thuốc Minh Châu', address: 'Hợp Giang',
  unit_code: 1273, sector: 'shop', usual_stay_minutes: 30, key_id: 'k', authority: 'Sở Y tế Cao Bằng',
  time_in: '2026-11-29T02:30:00Z', time_out: null, checkout: null, note: '', edited_at: null, withdrawn: false,
  auto_out: '2026-11-29T03:00:00Z',
};
const post: Visit = {
  id: 1, origin: 'nhs-covid19', signature: 'unverified', venue_id: '4WT59M5Y',
  name: 'Bưu điện tỉnh', address: 'Sông Hiến', unit_code: null, sector: null,
  usual_stay_minutes: null, key_id: '3', authority: null,
  time_in: '2026-11-28T01:00:00Z', time_out: '2026-11-28T01:45:00Z', checkout: 'tap', note: '', edited_at: null, withdrawn: false,
  auto_out: null,
};

/** The diary's commands over `visits`; `calls` records each command and its arguments. */
function backend(visits: Visit[], calls: [string, unknown][] = [], limit = 50) {
  mockIPC((cmd, args) => {
    calls.push([cmd, args]);
    if (cmd === 'list_visits') {
      // Pages of `limit` (two here), as the diary gives them: newest first, after `after`.
      const { query, after } = args as { query?: string; after?: PageMark };
      const q = String(query ?? '').toLowerCase();
      const found = visits.filter((v) => v.name.toLowerCase().includes(q));
      const start = after ? found.findIndex((v) => v.id === after.id) + 1 : 0;
      const page = found.slice(start, start + limit);
      const more = start + limit < found.length;
      return { visits: page, total: found.length, next: more ? { time_in: 0, id: page.at(-1)!.id } : null };
    }
    if (cmd === 'get_retention') return { days: 21, choices: [14, 21, 30, 60] };
    if (cmd === 'add_manual') return { ...post, id: 9, origin: 'manual', checkout: 'manual', ...(args as { entry: object }).entry };
    if (cmd === 'delete_visit') return null;
    if (cmd === 'update_visit') return { ...post, ...(args as { entry: object }).entry, edited_at: '2026-11-29T05:00:00Z' };
    throw new Error(`unexpected ${cmd}`);
  });
  return calls;
}

test('an empty diary says what to do, and how long it keeps visits', async () => {
  backend([]);
  render(Diary);
  expect(await screen.findByTestId('diary-empty')).toHaveTextContent('Quét mã QR dán ở cửa nơi bạn đến');
  expect(await screen.findByTestId('retention-note')).toHaveTextContent('trong 21 ngày');
});

test('visits are grouped by day, newest first, with times and whether they were verified', async () => {
  backend([market, post]);
  render(Diary);
  const items = await screen.findAllByTestId('visit');
  expect(items.map((i) => i.querySelector('.name')!.textContent)).toEqual(['Nhà thuốc Minh Châu', 'Bưu điện tỉnh']);
  const days = screen.getAllByTestId('day').map((d) => d.textContent);
  expect(days).toHaveLength(2);
  expect(days[1]).toContain('28/11/2026');
  expect(items[0]).toHaveTextContent('Chưa ra');
  expect(items[0]).toHaveTextContent('Mã do Sở Y tế Cao Bằng cấp, đã xác thực');
  expect(items[1]).toHaveTextContent('Mã NHS COVID-19 (Anh và xứ Wales), không xác thực được');
  expect(items[1]).toHaveTextContent('(bạn bấm Ra về)');
  expect(screen.getByText('2 lượt ghé')).toBeInTheDocument();
  expect(items[0]).toHaveAccessibleName(/^Nhà thuốc Minh Châu/);
});

test('a long diary shows a page at a time, the count of all, and the older ones on asking', async () => {
  const many: Visit[] = Array.from({ length: 5 }, (_, i) => ({
    ...post,
    id: 10 - i,
    name: `Chợ Xanh ${5 - i}`,
    time_in: new Date(Date.UTC(2026, 10, 20 - i, 2)).toISOString(),
  }));
  const calls = backend(many, [], 2);
  render(Diary);
  const names = () => screen.getAllByTestId('visit').map((i) => i.querySelector('.name')!.textContent);
  await screen.findAllByTestId('visit');
  expect(names()).toEqual(['Chợ Xanh 5', 'Chợ Xanh 4']);
  expect(screen.getByText('5 lượt ghé')).toBeInTheDocument();
  await fireEvent.click(screen.getByTestId('more-visits'));
  await waitFor(() => expect(names()).toHaveLength(4));
  expect(names()).toEqual(['Chợ Xanh 5', 'Chợ Xanh 4', 'Chợ Xanh 3', 'Chợ Xanh 2']);
  expect(calls).toContainEqual(['list_visits', { query: '', after: { time_in: 0, id: 9 } }]);
  // The reader goes on from the first of the older visits.
  expect(document.activeElement).toHaveTextContent('Chợ Xanh 3');
  expect(screen.getByTestId('more-visits')).toHaveTextContent('Xem thêm (còn 1 lượt ghé cũ hơn)');
  // A visit of the second page, and back: the list as it was, that visit in focus, not read again.
  const reads = calls.filter(([c]) => c === 'list_visits').length;
  await fireEvent.click(screen.getAllByTestId('visit')[3]);
  await fireEvent.click(await screen.findByRole('button', { name: /Quay lại/ }));
  await waitFor(() => expect(names()).toHaveLength(4));
  expect(document.activeElement).toHaveTextContent('Chợ Xanh 2');
  expect(calls.filter(([c]) => c === 'list_visits')).toHaveLength(reads);
  await fireEvent.click(screen.getByTestId('more-visits'));
  await waitFor(() => expect(names()).toHaveLength(5));
  expect(screen.queryByTestId('more-visits')).toBeNull();
});

test('a visit to a venue whose code was withdrawn says so, in the list and in its details', async () => {
  backend([{ ...market, withdrawn: true }, post]);
  render(Diary);
  const items = await screen.findAllByTestId('visit');
  expect(items[0].querySelector('[data-testid=withdrawn]')).toHaveTextContent('mã đã bị thu hồi');
  expect(items[1].querySelector('[data-testid=withdrawn]')).toBeNull();
  await fireEvent.click(items[0]);
  expect(await screen.findByTestId('detail-withdrawn')).toHaveTextContent('Cơ quan y tế đã thu hồi mã QR của địa điểm này');
});

test('search asks the diary, and says when nothing matches', async () => {
  const calls = backend([market, post]);
  render(Diary);
  const search = await screen.findByLabelText('Tìm theo tên nơi');
  await fireEvent.input(search, { target: { value: 'zzz' } });
  expect(await screen.findByTestId('no-results')).toHaveTextContent('Không có lượt ghé nào khớp với “zzz”.');
  expect(calls).toContainEqual(['list_visits', { query: 'zzz' }]);
});

test('a visit opens its detail, and deleting asks first', async () => {
  const calls = backend([market, post]);
  render(Diary);
  await fireEvent.click((await screen.findAllByTestId('visit'))[1]);
  expect(await screen.findByTestId('visit-detail')).toHaveTextContent('Bưu điện tỉnh');
  await fireEvent.click(screen.getByTestId('delete-visit'));
  expect(screen.getByRole('alertdialog')).toHaveTextContent('Xoá lượt ghé ở Bưu điện tỉnh?');
  expect(calls.some(([c]) => c === 'delete_visit')).toBe(false);
  await fireEvent.click(screen.getByTestId('confirm-delete'));
  await waitFor(() => expect(calls).toContainEqual(['delete_visit', { id: 1 }]));
  expect(await screen.findByTestId('diary-notice')).toHaveTextContent('Đã xoá lượt ghé ở Bưu điện tỉnh.');
});

test('a visit added by hand sends the place, times and note', async () => {
  const calls = backend([]);
  render(Diary);
  await fireEvent.click(await screen.findByTestId('add-visit'));
  await fireEvent.input(screen.getByLabelText('Tên nơi'), { target: { value: 'Nhà văn hóa tổ 5' } });
  await fireEvent.input(document.querySelector('#visit-in-date')!, { target: { value: '28/11/2026' } });
  await fireEvent.input(document.querySelector('#visit-in-time')!, { target: { value: '09:00' } });
  await fireEvent.input(document.querySelector('#visit-out-date')!, { target: { value: '28/11/2026' } });
  await fireEvent.input(document.querySelector('#visit-out-time')!, { target: { value: '10h30' } });
  await fireEvent.input(screen.getByLabelText('Ghi chú (không bắt buộc)'), { target: { value: 'Họp tổ' } });
  await fireEvent.submit(screen.getByTestId('visit-form'));
  await waitFor(() => expect(calls.some(([c]) => c === 'add_manual')).toBe(true));
  const [, args] = calls.find(([c]) => c === 'add_manual')!;
  const entry = (args as { entry: { name: string; time_in: string; time_out: string; note: string } }).entry;
  expect(entry.name).toBe('Nhà văn hóa tổ 5');
  expect(entry.note).toBe('Họp tổ');
  expect(new Date(entry.time_out).getTime() - new Date(entry.time_in).getTime()).toBe(90 * 60 * 1000);
  expect(await screen.findByTestId('visit-detail')).toHaveTextContent('Nhập tay');
});

test('a date the form cannot read is pointed at with how to write it, and nothing is sent', async () => {
  const calls = backend([]);
  render(Diary);
  await fireEvent.click(await screen.findByTestId('add-visit'));
  await fireEvent.input(screen.getByLabelText('Tên nơi'), { target: { value: 'Quán phở' } });
  await fireEvent.input(document.querySelector('#visit-in-date')!, { target: { value: '31/02/2026' } });
  await fireEvent.submit(screen.getByTestId('visit-form'));
  // The box is named where it is, with how to write it; the sentence under Save says to look.
  expect(await screen.findByTestId('form-notice')).toHaveTextContent('Có ô chưa đúng');
  expect(screen.getByTestId('wrong-in-date')).toHaveTextContent('Ngày chưa đúng, ví dụ 3/12.');
  expect(calls.some(([c]) => c === 'add_manual')).toBe(false);
});

test('a diary that cannot be read shows a sentence, not database text', async () => {
  mockIPC(() => {
    throw { kind: 'storage', message: 'error returned from database: (code: 11) database disk image is malformed' };
  });
  render(Diary);
  const alert = await screen.findByRole('alert');
  expect(alert).toHaveTextContent('Không đọc hoặc ghi được nhật ký.');
  expect(alert).not.toHaveTextContent('malformed');
});

test('a code unsigned by design says so, without alarm', async () => {
  backend([
    {
      ...post, id: 3, origin: 'nz-covid-tracer', signature: 'unsigned', venue_id: '7000000243950',
      name: 'Blue Stone Table 1', address: 'Leeston', key_id: null, time_out: null, checkout: null,
    },
  ]);
  render(Diary);
  const badge = await screen.findByTestId('verified');
  expect(badge).toHaveTextContent('Mã NZ COVID Tracer (New Zealand), loại mã này không xác thực được');
  expect(badge).toHaveClass('plain');
  expect(badge).not.toHaveTextContent('!');
});

test('a correction or a deletion tells the app, whose alerts the core matched again; adding by hand does not', async () => {
  backend([market, post]);
  const onchanged = vi.fn();
  render(Diary, { onchanged });
  await fireEvent.click((await screen.findAllByTestId('visit'))[1]);
  await fireEvent.click(await screen.findByTestId('edit-visit'));
  await fireEvent.input(document.querySelector('#visit-out-time')!, { target: { value: '9h15' } });
  await fireEvent.submit(screen.getByTestId('visit-form'));
  expect(await screen.findByTestId('visit-detail')).toBeInTheDocument();
  expect(onchanged).toHaveBeenCalledTimes(1);

  await fireEvent.click(screen.getByTestId('delete-visit'));
  await fireEvent.click(screen.getByTestId('confirm-delete'));
  await screen.findByTestId('diary-notice');
  expect(onchanged).toHaveBeenCalledTimes(2);

  await fireEvent.click(screen.getByTestId('add-visit'));
  await fireEvent.input(screen.getByLabelText('Tên nơi'), { target: { value: 'Nhà văn hóa tổ 5' } });
  await fireEvent.input(document.querySelector('#visit-in-date')!, { target: { value: '28/11/2026' } });
  await fireEvent.input(document.querySelector('#visit-in-time')!, { target: { value: '09:00' } });
  await fireEvent.input(document.querySelector('#visit-out-date')!, { target: { value: '28/11/2026' } });
  await fireEvent.input(document.querySelector('#visit-out-time')!, { target: { value: '10h30' } });
  await fireEvent.submit(screen.getByTestId('visit-form'));
  expect(await screen.findByTestId('visit-detail')).toHaveTextContent('Nhập tay');
  expect(onchanged).toHaveBeenCalledTimes(2);
});
