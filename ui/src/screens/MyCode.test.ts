import { render, screen, fireEvent, waitFor } from '@testing-library/svelte';
import { mockIPC, clearMocks } from '@tauri-apps/api/mocks';
import MyCode from './MyCode.svelte';
import FamilyCard from './FamilyCard.svelte';
import type { CardCode, Province, ShownContact } from '../lib/api';
import vi from '../locales/vi.json';

const provinces: Province[] = [
  { code: 1, name: 'Thành phố Hà Nội', communes: [{ code: 70, name: 'Phường Hoàn Kiếm' }] },
  { code: 4, name: 'Cao Bằng', communes: [{ code: 1273, name: 'Phường Thục Phán' }, { code: 1279, name: 'Phường Nùng Trí Cao' }] },
];

const lan: ShownContact = {
  name: 'Bế Thị Lan',
  phone: '0912345678',
  commune: 1273,
  commune_name: 'Phường Thục Phán',
  province_name: 'Cao Bằng',
};

const code = (n: number): CardCode => ({
  text: `VDC1:sealed-${n}`,
  svg: `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><rect id="q${n}"/></svg>`,
  authority: 'Sở Y tế Cao Bằng',
  contact: lan,
});

afterEach(() => clearMocks());

async function fill(prefix: string, name: string, phone: string) {
  await fireEvent.input(await screen.findByTestId(`${prefix}-name`), { target: { value: name } });
  await fireEvent.input(screen.getByTestId(`${prefix}-phone`), { target: { value: phone } });
  await waitFor(() => expect(screen.getByTestId(`${prefix}-province`).querySelectorAll('option')).toHaveLength(3));
  const province = screen.getByTestId(`${prefix}-province`) as HTMLSelectElement;
  province.selectedIndex = 2;
  await fireEvent.change(province);
  const commune = screen.getByTestId(`${prefix}-commune`) as HTMLSelectElement;
  await waitFor(() => expect(commune.querySelectorAll('option')).toHaveLength(3));
  commune.selectedIndex = 1;
  await fireEvent.change(commune);
  await fireEvent.submit(screen.getByTestId(`${prefix}-name`).closest('form')!);
}

test('my code is set up once, then shown sealed afresh each time with the name to compare', async () => {
  let saved: ShownContact | null = null;
  let shown = 0;
  const calls: unknown[] = [];
  mockIPC((cmd, payload) => {
    if (cmd === 'my_contact') return saved;
    if (cmd === 'card_provinces') return provinces;
    if (cmd === 'set_my_contact') {
      calls.push(payload);
      const { phone } = payload as { phone: string };
      if (phone === '12345') throw { kind: 'invalid_contact', message: '', detail: { field: 'phone' } };
      saved = lan;
      return lan;
    }
    if (cmd === 'my_code') return code(++shown);
    throw new Error(`unexpected ${cmd}`);
  });
  render(MyCode);
  await fireEvent.click(await screen.findByTestId('my-code-start'));
  await fill('my-card', 'Bế Thị Lan', '12345');
  expect(await screen.findByText(vi.card.invalid.phone)).toBeInTheDocument();
  expect(screen.getByTestId('my-card-name')).toHaveValue('Bế Thị Lan');
  await fireEvent.input(screen.getByTestId('my-card-phone'), { target: { value: '0912 345 678' } });
  await fireEvent.submit(screen.getByTestId('my-card-name').closest('form')!);
  expect(await screen.findByTestId('my-code-name')).toHaveTextContent('Bế Thị Lan');
  expect(calls.at(-1)).toEqual({ name: 'Bế Thị Lan', phone: '0912 345 678', commune: 1273 });
  const first = screen.getByTestId('my-code-qr').getAttribute('src');
  expect(first).toMatch(/^data:image\/svg\+xml/);
  await fireEvent.click(screen.getByTestId('my-code-hide'));
  await fireEvent.click(await screen.findByTestId('my-code-show'));
  await waitFor(() => expect(screen.getByTestId('my-code-qr').getAttribute('src')).not.toEqual(first));
  expect(shown).toBe(2);
});

test('a code shown before the app locked is not shown again after it opens', async () => {
  let shown = 0;
  mockIPC((cmd) => {
    if (cmd === 'my_contact') return lan;
    if (cmd === 'my_code') return code(++shown);
    throw new Error(`unexpected ${cmd}`);
  });
  const { rerender } = render(MyCode, { locked: false });
  await fireEvent.click(await screen.findByTestId('my-code-show'));
  await screen.findByTestId('my-code-qr');
  await rerender({ locked: true });
  await rerender({ locked: false });
  expect(await screen.findByTestId('my-code-show')).toBeInTheDocument();
  expect(screen.queryByTestId('my-code-qr')).toBeNull();
  expect(shown).toBe(1);
});

test('while the app is locked my code asks nothing of the diary', async () => {
  const calls: string[] = [];
  mockIPC((cmd) => {
    calls.push(cmd);
    return null;
  });
  render(MyCode, { locked: true });
  expect(await screen.findByText(vi.card.myLocked)).toBeInTheDocument();
  expect(calls).toEqual([]);
});

test('a family member\'s card is made and saved to print, and nothing about them is kept', async () => {
  const calls: string[] = [];
  mockIPC((cmd, payload) => {
    calls.push(cmd);
    if (cmd === 'card_provinces') return provinces;
    if (cmd === 'family_card') {
      expect(payload).toEqual({ name: 'Bế Thị Lan', phone: '0912345678', commune: 1273, authority: null });
      return code(1);
    }
    if (cmd === 'save_family_card') return '/tai-ve/the-ca-nhan.svg';
    throw new Error(`unexpected ${cmd}`);
  });
  render(FamilyCard);
  await fireEvent.click(screen.getByTestId('family-card-start'));
  await fill('family-card', 'Bế Thị Lan', '0912345678');
  expect(await screen.findByTestId('family-card-preview')).toHaveTextContent('Bế Thị Lan');
  await fireEvent.click(screen.getByTestId('family-card-file'));
  expect(await screen.findByTestId('family-card-notice')).toHaveTextContent('/tai-ve/the-ca-nhan.svg');
  expect(calls).not.toContain('set_my_contact');
});
