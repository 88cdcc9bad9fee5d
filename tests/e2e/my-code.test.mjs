// Personal cards in the real app: a citizen sets up "Mã của tôi" (my code) and shows it; a
// family member's card is made and saved to print; a venue's door (a second real app, in venue
// mode) scans both from the screen and records them as personal cards. The screens are checked
// (axe, 44 px targets, 200 % text) and saved in Vietnamese and English.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  startServices, stopServices, makeAuthority, goTo, openApp, closeApp, text, tempDir, press,
  filesOf, screenshot, SHOTS,
} from './harness.mjs';
import { accessibilityProblems } from './a11y.mjs';

const vi = JSON.parse(readFileSync(new URL('../../ui/src/locales/vi.json', import.meta.url), 'utf8'));
const VENUE = 'Trung tâm Văn hóa tỉnh Cao Bằng';
const ME = { name: 'Hoàng Thị Thu', phone: '0987 654 321', digits: '0987654321' };
const GRANDPA = { name: 'Hoàng Văn Lộc', phone: '0206 385 2123', digits: '02063852123' };

let authority;
const problems = [];

before(async () => {
  await startServices();
  authority = makeAuthority('mycode', VENUE);
});

after(stopServices);

/**
 * Scrolls `el` to the middle of the screen until all of it is between the top and the tab bar
 * (a card still laying out may move it after one scroll), as a guard's camera must see it.
 */
async function showWhole(app, el) {
  await app.waitUntil(
    () =>
      app.execute((e) => {
        e.scrollIntoView({ block: 'center' });
        const r = e.getBoundingClientRect();
        const bar = document.querySelector('nav')?.getBoundingClientRect().top ?? window.innerHeight;
        return r.height > 0 && r.top >= 0 && r.bottom <= bar;
      }, el),
    { timeout: 10000, interval: 250, timeoutMsg: 'the QR code is not all on the screen' },
  );
}

async function check(app, name, lang) {
  await app.pause(200);
  await accessibilityProblems(app, name, lang, problems);
  await screenshot(app, `62-card-${name}-${lang}`);
}

/**
 * Chooses the option reading `label` in a select, as a person would, without a click WebKit's
 * driver may report as intercepted by the fixed tab bar.
 */
async function choose(app, selector, label) {
  const select = await app.$(selector);
  await app.waitUntil(
    async () => app.execute((s, l) => [...s.options].some((o) => o.text === l), select, label),
    { timeout: 15000, timeoutMsg: `${selector} never offered ${label}` },
  );
  await app.execute((s, l) => {
    s.selectedIndex = [...s.options].findIndex((o) => o.text === l);
    s.dispatchEvent(new Event('change', { bubbles: true }));
  }, select, label);
}

/** Fills the contact form whose fields start with `prefix`: Phường Thục Phán, Cao Bằng. */
async function fill(app, prefix, person) {
  await (await app.$(`[data-testid=${prefix}-name]`)).setValue(person.name);
  await (await app.$(`[data-testid=${prefix}-phone]`)).setValue(person.phone);
  await choose(app, `[data-testid=${prefix}-province]`, 'Cao Bằng');
  await choose(app, `[data-testid=${prefix}-commune]`, 'Phường Thục Phán');
}

test('my code and a family member\'s card are scanned at a door as personal cards', async () => {
  // The QR codes as the screen showed them, kept with the screenshots.
  const mine = join(SHOTS, '62-card-my-code-qr.png');
  const grandpa = join(SHOTS, '62-card-family-qr.png');
  const citizen = tempDir('card-citizen');
  let app = await openApp(citizen, authority.trust);
  let saved;
  try {
    // My code: set up once, with a phone number that is not Vietnamese corrected next to its field.
    await press(app, '[data-testid=my-code-start]');
    await fill(app, 'my-card', { ...ME, phone: '12345' });
    await check(app, 'my-code-form', 'vi');
    await press(app, '[data-testid=my-card-save]');
    assert.equal(await text(app, '#my-card-phone-error'), vi.card.invalid.phone);
    assert.equal(await (await app.$('[data-testid=my-card-name]')).getValue(), ME.name);
    await (await app.$('[data-testid=my-card-phone]')).setValue(ME.phone);
    await press(app, '[data-testid=my-card-save]');
    assert.equal(await text(app, '[data-testid=my-code-name]'), ME.name);
    const qr = await app.$('[data-testid=my-code-qr]');
    await showWhole(app, qr);
    await check(app, 'my-code-shown', 'vi');
    // The screen as the guard's camera sees it.
    await app.saveScreenshot(mine);

    // A card for a family member, saved to print.
    await goTo(app, 'settings');
    await press(app, '[data-testid=family-card-start]');
    await fill(app, 'family-card', GRANDPA);
    await press(app, '[data-testid=family-card-save]');
    await (await app.$('[data-testid=family-card-preview]')).waitForExist({ timeout: 15000 });
    await showWhole(app, await app.$('[data-testid=family-card-preview] img'));
    await check(app, 'family-preview', 'vi');
    await app.saveScreenshot(grandpa);
    await press(app, '[data-testid=family-card-file]');
    const notice = await text(app, '[data-testid=family-card-notice]');
    saved = /: (.+\.svg)\./.exec(notice)?.[1];
    assert.ok(saved && existsSync(saved), notice);
    await check(app, 'family-saved', 'vi');
  } finally {
    await closeApp(app, citizen);
  }

  // The printable card: the name in print for the guard, the phone only inside the sealed QR.
  const svg = readFileSync(saved, 'utf8');
  assert.match(svg, new RegExp(GRANDPA.name));
  assert.match(svg, /Phường Thục Phán/);
  assert.equal(svg.includes(GRANDPA.digits) || svg.includes(GRANDPA.phone), false);
  // The citizen's own contact is in the diary, encrypted: not readable in its files.
  for (const [file, bytes] of filesOf(citizen)) {
    for (const secret of [ME.name, ME.digits, GRANDPA.name, GRANDPA.digits]) {
      assert.equal(bytes.includes(Buffer.from(secret)), false, `${file} holds ${secret}`);
    }
  }

  // A venue's door scans both off the screen: personal cards, recorded.
  const door = tempDir('card-door');
  app = await openApp(door, authority.trust);
  try {
    await goTo(app, 'settings');
    await press(app, '[data-testid=door-setup-start]');
    await (await app.$('[data-testid=door-poster-image]')).addValue(authority.png);
    await (await app.$('[data-testid=door-pin]')).setValue('2468');
    await (await app.$('[data-testid=door-pin-again]')).setValue('2468');
    await press(app, '[data-testid=door-turn-on]');
    for (const png of [mine, grandpa]) {
      const input = await app.$('[data-testid=door-scan-image]');
      await input.waitForExist({ timeout: 15000 });
      await input.addValue(png);
      const result = await app.$('[data-testid=door-result]');
      await result.waitForExist({ timeout: 15000 });
      await screenshot(app, '62-card-door-scanned');
      assert.equal(await result.getAttribute('data-direction'), 'in', await result.getText());
      assert.equal(await text(app, '[data-testid=door-check]'), vi.door.personalCard);
    }
    await app.waitUntil(async () => (await text(app, '[data-testid=door-inside]')) === '2', { timeout: 15000 });
  } finally {
    await closeApp(app, door);
  }
});

test('my code in English', async () => {
  const citizen = tempDir('card-citizen-en');
  const app = await openApp(citizen, authority.trust, { english: true });
  try {
    await press(app, '[data-testid=my-code-start]');
    await fill(app, 'my-card', ME);
    await check(app, 'my-code-form', 'en');
    await press(app, '[data-testid=my-card-save]');
    await (await app.$('[data-testid=my-code-qr]')).waitForExist({ timeout: 15000 });
    await showWhole(app, await app.$('[data-testid=my-code-qr]'));
    await check(app, 'my-code-shown', 'en');
    await press(app, '[data-testid=my-code-hide]');
    await check(app, 'my-code-ready', 'en');
  } finally {
    await closeApp(app, citizen);
  }
  assert.deepEqual(problems, []);
});
