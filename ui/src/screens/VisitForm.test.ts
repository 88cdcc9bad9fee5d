// The visit form takes dates and times as people write them, points to the box that is wrong,
// clears an error once its box is fixed, and never moves Save when errors appear.
import { render, screen, fireEvent } from '@testing-library/svelte';
import { mockIPC, clearMocks } from '@tauri-apps/api/mocks';
import { get } from 'svelte/store';
import { _ } from 'svelte-i18n';
import VisitForm from './VisitForm.svelte';

afterEach(() => clearMocks());

const box = (id: string) => document.getElementById(id) as HTMLInputElement;
async function fill(values: Record<string, string>) {
  for (const [id, value] of Object.entries(values)) await fireEvent.input(box(id), { target: { value } });
}

test('9h30, 11h and a day without its year are read; the entry sent is those times', async () => {
  const sent: unknown[] = [];
  mockIPC((cmd, payload) => {
    if (cmd === 'add_manual') {
      sent.push(payload);
      return { id: 1 };
    }
    throw new Error(`unexpected ${cmd}`);
  });
  const onsaved = vi.fn();
  render(VisitForm, { onsaved, oncancel: () => {} });
  const year = new Date().getFullYear();
  await fill({
    'visit-name': 'Nhà văn hoá tổ 5',
    'visit-in-date': '3/1',
    'visit-in-time': '9h30',
    'visit-out-date': '3/1',
    'visit-out-time': '11h',
  });
  await fireEvent.click(screen.getByTestId('save-visit'));
  await vi.waitFor(() => expect(onsaved).toHaveBeenCalled());
  const entry = (sent[0] as { entry: { time_in: string; time_out: string } }).entry;
  expect(entry.time_in).toBe(new Date(year, 0, 3, 9, 30).toISOString());
  expect(entry.time_out).toBe(new Date(year, 0, 3, 11, 0).toISOString());
});

test('a wrong box is marked and named, the focus goes to it, and its error goes once fixed', async () => {
  mockIPC(() => {
    throw new Error('nothing is sent while a box is wrong');
  });
  render(VisitForm, { onsaved: () => {}, oncancel: () => {} });
  await fill({ 'visit-name': 'Quán phở', 'visit-in-date': '3/12', 'visit-in-time': '9h75', 'visit-out-date': '31/2', 'visit-out-time': '10h' });
  const save = screen.getByTestId('save-visit');
  const before = save.compareDocumentPosition(screen.getByTestId('wrong-in-time'));
  await fireEvent.click(save);
  expect(box('visit-in-time')).toHaveAttribute('aria-invalid', 'true');
  expect(box('visit-out-date')).toHaveAttribute('aria-invalid', 'true');
  expect(box('visit-in-date')).toHaveAttribute('aria-invalid', 'false');
  expect(screen.getByTestId('wrong-in-time')).toHaveTextContent(get(_)('visit.wrong.time'));
  expect(screen.getByTestId('wrong-out-date')).toHaveTextContent(get(_)('visit.wrong.date'));
  expect(box('visit-in-time')).toHaveAccessibleDescription(get(_)('visit.wrong.time'));
  await vi.waitFor(() => expect(document.activeElement).toBe(box('visit-in-time')));
  // The general sentence comes after Save: Save has not moved down the form.
  const notice = screen.getByTestId('form-notice');
  expect(save.compareDocumentPosition(notice) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  expect(save.compareDocumentPosition(screen.getByTestId('wrong-in-time'))).toBe(before);

  await fill({ 'visit-in-time': '9h35' });
  expect(box('visit-in-time')).toHaveAttribute('aria-invalid', 'false');
  expect(screen.getByTestId('wrong-in-time')).toHaveTextContent('');
  expect(box('visit-out-date')).toHaveAttribute('aria-invalid', 'true');
  await fill({ 'visit-out-date': '3/12' });
  expect(screen.queryByTestId('form-notice')).toBeNull();
});

test('a refusal of the app core points to its box: a time out before the time in', async () => {
  mockIPC(() => {
    throw { kind: 'entry_times_backwards', message: 'backwards' };
  });
  render(VisitForm, { onsaved: () => {}, oncancel: () => {} });
  await fill({ 'visit-name': 'Quán phở', 'visit-in-date': '3/12', 'visit-in-time': '10h', 'visit-out-date': '3/12', 'visit-out-time': '9h' });
  await fireEvent.click(screen.getByTestId('save-visit'));
  await vi.waitFor(() => expect(box('visit-out-time')).toHaveAttribute('aria-invalid', 'true'));
  expect(screen.getByTestId('wrong-out-time')).toHaveTextContent(get(_)('errors.entry_times_backwards'));
  expect(document.activeElement).toBe(box('visit-out-time'));
});

test("the core's refusal stays while its boxes are as refused: typing elsewhere does not clear it", async () => {
  mockIPC(() => {
    throw { kind: 'entry_times_backwards', message: 'backwards' };
  });
  render(VisitForm, { onsaved: () => {}, oncancel: () => {} });
  await fill({ 'visit-name': 'Quán phở', 'visit-in-date': '3/12', 'visit-in-time': '10h', 'visit-out-date': '3/12', 'visit-out-time': '9h' });
  await fireEvent.click(screen.getByTestId('save-visit'));
  await vi.waitFor(() => expect(box('visit-out-time')).toHaveAttribute('aria-invalid', 'true'));
  const said = get(_)('errors.entry_times_backwards');

  // The name and the note have nothing to do with the times: the refusal and its sentence stay.
  await fill({ 'visit-name': 'Quán phở Hoa' });
  await fireEvent.input(document.getElementById('visit-note') as HTMLTextAreaElement, { target: { value: 'ăn trưa' } });
  expect(box('visit-out-time')).toHaveAttribute('aria-invalid', 'true');
  expect(screen.getByTestId('wrong-out-time')).toHaveTextContent(said);
  expect(screen.getByTestId('form-notice')).toBeInTheDocument();

  // A time changed: the core is asked again at the next save, so its refusal goes.
  await fill({ 'visit-out-time': '11h' });
  expect(box('visit-out-time')).toHaveAttribute('aria-invalid', 'false');
  expect(screen.getByTestId('wrong-out-time')).toHaveTextContent('');
  expect(screen.queryByTestId('form-notice')).toBeNull();
});

test('a visit too old is refused on its time in: changing the time out keeps that, the day in clears it', async () => {
  mockIPC(() => {
    throw { kind: 'entry_too_old', message: 'too old' };
  });
  render(VisitForm, { onsaved: () => {}, oncancel: () => {} });
  await fill({ 'visit-name': 'Chợ', 'visit-in-date': '3/1/2020', 'visit-in-time': '9h', 'visit-out-date': '3/1/2020', 'visit-out-time': '10h' });
  await fireEvent.click(screen.getByTestId('save-visit'));
  await vi.waitFor(() => expect(box('visit-in-date')).toHaveAttribute('aria-invalid', 'true'));
  await fill({ 'visit-out-time': '10h30' });
  expect(box('visit-in-date')).toHaveAttribute('aria-invalid', 'true');
  expect(screen.getByTestId('wrong-in-date')).toHaveTextContent(get(_)('errors.entry_too_old'));
  await fill({ 'visit-in-date': '3/1' });
  expect(box('visit-in-date')).toHaveAttribute('aria-invalid', 'false');
  expect(screen.queryByTestId('form-notice')).toBeNull();
});

test('a refusal about no box (the phone is full) stays said while the boxes are typed in', async () => {
  mockIPC(() => {
    throw { kind: 'disk_full', message: 'full' };
  });
  render(VisitForm, { onsaved: () => {}, oncancel: () => {} });
  await fill({ 'visit-name': 'Chợ', 'visit-in-date': '3/12', 'visit-in-time': '9h', 'visit-out-date': '3/12', 'visit-out-time': '10h' });
  await fireEvent.click(screen.getByTestId('save-visit'));
  await vi.waitFor(() => expect(screen.getByTestId('form-notice')).toHaveTextContent(get(_)('errors.disk_full')));
  await fill({ 'visit-name': 'Chợ Xanh', 'visit-out-time': '10h15' });
  expect(screen.getByTestId('form-notice')).toHaveTextContent(get(_)('errors.disk_full'));
  // A box made unreadable meanwhile is still marked as it is typed.
  await fill({ 'visit-in-time': '9h75' });
  expect(box('visit-in-time')).toHaveAttribute('aria-invalid', 'true');
});

test('a box changed while the core answers is not marked with a refusal of what was sent', async () => {
  let refuse: (e: unknown) => void = () => {};
  mockIPC(() => new Promise((_, reject) => (refuse = reject)));
  render(VisitForm, { onsaved: () => {}, oncancel: () => {} });
  await fill({ 'visit-name': 'Quán phở', 'visit-in-date': '3/12', 'visit-in-time': '10h', 'visit-out-date': '3/12', 'visit-out-time': '9h' });
  await fireEvent.click(screen.getByTestId('save-visit'));
  // Fixed before the answer came: 9h was sent, 11h is what the box holds.
  await fill({ 'visit-out-time': '11h' });
  refuse({ kind: 'entry_times_backwards', message: 'backwards' });
  await vi.waitFor(() => expect(screen.getByTestId('save-visit')).not.toBeDisabled());
  expect(box('visit-out-time')).toHaveAttribute('aria-invalid', 'false');
  expect(screen.getByTestId('wrong-out-time')).toHaveTextContent('');
  // Why that save did not happen is still said, until the next box typed in.
  expect(screen.getByTestId('form-notice')).toHaveTextContent(get(_)('errors.entry_times_backwards'));
  await fill({ 'visit-out-time': '11h30' });
  expect(screen.queryByTestId('form-notice')).toBeNull();
});

test('a refused long text stays said until the name, address or note changes', async () => {
  mockIPC(() => {
    throw { kind: 'entry_too_long', message: 'too long' };
  });
  render(VisitForm, { onsaved: () => {}, oncancel: () => {} });
  await fill({ 'visit-name': 'Chợ', 'visit-in-date': '3/12', 'visit-in-time': '9h', 'visit-out-date': '3/12', 'visit-out-time': '10h' });
  await fireEvent.input(document.getElementById('visit-note') as HTMLTextAreaElement, { target: { value: 'ghi chú rất dài' } });
  await fireEvent.click(screen.getByTestId('save-visit'));
  await vi.waitFor(() => expect(screen.getByTestId('form-notice')).toHaveTextContent(get(_)('errors.entry_too_long')));
  await fill({ 'visit-out-time': '10h15' });
  expect(screen.getByTestId('form-notice')).toHaveTextContent(get(_)('errors.entry_too_long'));
  await fireEvent.input(document.getElementById('visit-note') as HTMLTextAreaElement, { target: { value: 'ngắn' } });
  expect(screen.queryByTestId('form-notice')).toBeNull();
});
