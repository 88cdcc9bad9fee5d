// Venue mode in the real app: a venue's device bound to its own poster, a guard scanning a
// citizen ID card's QR and a personal card made by the portal, the counts, refusals, a restart,
// leaving with the PIN; every venue-mode screen checked (axe, 44 px targets, 200 % text) and
// saved at phone and tablet size in Vietnamese and English.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import QRCode from 'qrcode';
import {
  startServices, stopServices, makeAuthority, goTo, openApp, closeApp, screenshot, text, tempDir,
  filesOf, portal, press,
} from './harness.mjs';
import { accessibilityProblems } from './a11y.mjs';

const VENUE = 'Ủy ban nhân dân Phường Thục Phán';
const vi = JSON.parse(readFileSync(new URL('../../ui/src/locales/vi.json', import.meta.url), 'utf8'));
const en = JSON.parse(readFileSync(new URL('../../ui/src/locales/en.json', import.meta.url), 'utf8'));

// A citizen ID card's QR text (a made-up person whose number agrees with birth and sex).
const PERSON = 'Nông Văn Dũng';
const NUMBER = '004090001234';
const ADDRESS = 'Tổ 5, Phường Hợp Giang, Thành phố Cao Bằng, Cao Bằng';
const CARD = `${NUMBER}|095123456|${PERSON}|15031990|Nam|${ADDRESS}|20082021`;

let authority;
let idCardPng;
let personalCardPng;

before(async () => {
  await startServices();
  authority = makeAuthority('door', VENUE);
  const dir = tempDir('door-cards');
  idCardPng = join(dir, 'id-card.png');
  await QRCode.toFile(idCardPng, CARD, { width: 600, margin: 4, errorCorrectionLevel: 'M' });
  personalCardPng = join(dir, 'personal-card.png');
  portal(
    'contact-card', '--data-dir', authority.dir, '--name', 'Lương Thị Ánh', '--phone', '0912 345 678',
    '--unit', '1273', '--png', personalCardPng,
  );
});

after(stopServices);

async function importInto(app, testid, png) {
  const input = await app.$(`[data-testid=${testid}]`);
  await input.waitForExist({ timeout: 15000 });
  await input.addValue(png);
}

async function result(app) {
  const el = await app.$('[data-testid=door-result]');
  await el.waitForExist({ timeout: 15000 });
  return { direction: await el.getAttribute('data-direction'), text: (await el.getText()).trim() };
}

/** Waits for the door's count `which` (inside, today) to read `n`. */
async function countIs(app, which, n) {
  await app.waitUntil(async () => (await text(app, `[data-testid=door-${which}]`)) === String(n), {
    timeout: 15000,
    timeoutMsg: `door-${which} never read ${n}`,
  });
}

const problems = [];

async function check(app, name, lang) {
  await app.pause(200);
  await accessibilityProblems(app, name, lang, problems);
  await screenshot(app, `60-door-${name}-${lang}`);
}

/** Turns venue mode on from Settings with the authority's poster. */
async function turnOn(app, strings, lang) {
  await goTo(app, 'settings');
  await press(app, '[data-testid=door-setup-start]');
  await importInto(app, 'door-poster-image', authority.png);
  assert.equal(await text(app, '[data-testid=door-venue-name]'), VENUE);
  await (await app.$('[data-testid=door-pin]')).setValue('2468');
  await (await app.$('[data-testid=door-pin-again]')).setValue('2468');
  await check(app, 'setup-confirm', lang);
  await press(app, '[data-testid=door-turn-on]');
  assert.equal(await text(app, '[data-testid=door-venue]'), VENUE);
  assert.equal(await (await app.$('nav')).isExisting(), false, 'no tabs in venue mode');
  assert.equal(await text(app, '.mode'), strings.door.mode.toUpperCase());
}

test('a door bound to its poster records an ID card and a personal card, sealed, and counts them', async () => {
  const data = tempDir('door-data');
  let app = await openApp(data, authority.trust);
  try {
    await turnOn(app, vi, 'vi');
    await countIs(app, 'inside', 0);
    await check(app, 'ready', 'vi');

    // A citizen ID card: green IN, initials, year and sex only.
    await importInto(app, 'door-scan-image', idCardPng);
    let r = await result(app);
    assert.equal(r.direction, 'in');
    assert.equal(await text(app, '[data-testid=door-check]'), 'N.V.D. · 1990 · Nam');
    assert.equal(r.text.includes(PERSON) || r.text.includes(NUMBER), false, 'never the name or the number');
    await countIs(app, 'inside', 1);
    await countIs(app, 'today', 1);
    await check(app, 'id-card-in', 'vi');

    // The same card at once: asked, then recorded leaving.
    await importInto(app, 'door-scan-image', idCardPng);
    await text(app, '[data-testid=door-duplicate]');
    await check(app, 'duplicate', 'vi');
    await press(app, '[data-testid=door-duplicate-yes]');
    await app.waitUntil(async () => (await result(app)).direction === 'out', { timeout: 15000 });
    await countIs(app, 'inside', 0);
    await check(app, 'id-card-out', 'vi');

    // A personal card made by the portal.
    await importInto(app, 'door-scan-image', personalCardPng);
    await app.waitUntil(async () => (await result(app)).direction === 'in', { timeout: 15000 });
    assert.equal(await text(app, '[data-testid=door-check]'), vi.door.personalCard);
    await countIs(app, 'inside', 1);
    await countIs(app, 'today', 2);
    await check(app, 'personal-card-in', 'vi');

    // The venue's own poster is not a visitor's code: red, one sentence, nothing counted.
    await importInto(app, 'door-scan-image', authority.png);
    await app.waitUntil(async () => (await result(app)).direction === 'refused', { timeout: 15000 });
    assert.equal(await text(app, '[data-testid=door-problem]'), vi.errors.door_venue_poster);
    await countIs(app, 'today', 2);
    await check(app, 'refused', 'vi');
  } finally {
    await closeApp(app, data);
  }

  // How long entries are kept: shown, and changed only with the PIN.
  app = await openApp(data, authority.trust);
  try {
    assert.match(await text(app, '[data-testid=door-retention]'), /21 ngày/);
    await press(app, '[data-testid=door-retention-change]');
    await (await app.$('[data-testid=door-retention-days]')).selectByAttribute('value', '30');
    await (await app.$('[data-testid=door-retention-pin]')).setValue('2468');
    await check(app, 'retention', 'vi');
    await press(app, '[data-testid=door-retention-save]');
    assert.equal(await text(app, '[data-testid=door-retention-notice]'), 'Đã lưu. Không có lượt vào nào bị xoá.');
    assert.match(await text(app, '[data-testid=door-retention]'), /30 ngày/);
  } finally {
    await closeApp(app, data);
  }

  // Nothing readable about the visitors in the device's files.
  for (const [file, bytes] of filesOf(data)) {
    for (const secret of [PERSON, NUMBER, ADDRESS, 'Lương Thị Ánh', '0912345678']) {
      assert.equal(bytes.includes(Buffer.from(secret)), false, `${file} holds ${secret}`);
    }
  }

  // After a restart the device is still the venue's door, with its counts.
  app = await openApp(data, authority.trust);
  try {
    assert.equal(await text(app, '[data-testid=door-venue]'), VENUE);
    await countIs(app, 'today', 2);
    await press(app, '[data-testid=door-leave]');
    await (await app.$('[data-testid=door-leave-pin]')).setValue('1111');
    await check(app, 'leave', 'vi');
    await press(app, '[data-testid=door-leave-confirm]');
    assert.equal(await text(app, '[data-testid=door-leave-notice]'), vi.errors.pin_wrong);
    await (await app.$('[data-testid=door-leave-pin]')).setValue('2468');
    await press(app, '[data-testid=door-leave-confirm]');
    await (await app.$('nav')).waitForExist({ timeout: 15000 });
    assert.equal(await (await app.$('[data-testid=door-venue]')).isExisting(), false);
  } finally {
    await closeApp(app, data);
  }
});

test('venue mode in English, at tablet size too', async () => {
  const data = tempDir('door-data-en');
  const app = await openApp(data, authority.trust, { english: true });
  try {
    await turnOn(app, en, 'en');
    await importInto(app, 'door-scan-image', idCardPng);
    assert.equal((await result(app)).direction, 'in');
    assert.equal(await text(app, '[data-testid=door-check]'), 'N.V.D. · 1990 · Male');
    await check(app, 'id-card-in', 'en');
    await importInto(app, 'door-scan-image', authority.png);
    await app.waitUntil(async () => (await result(app)).direction === 'refused', { timeout: 15000 });
    assert.equal(await text(app, '[data-testid=door-problem]'), en.errors.door_venue_poster);
    await check(app, 'refused', 'en');

    // A tablet on a stand at the door.
    await app.setWindowSize(800, 1280);
    await app.pause(300);
    await importInto(app, 'door-scan-image', personalCardPng);
    await app.waitUntil(async () => (await result(app)).direction === 'in', { timeout: 15000 });
    await check(app, 'tablet-personal-card-in', 'en');
  } finally {
    await closeApp(app, data);
  }
  assert.deepEqual(problems, []);
});
