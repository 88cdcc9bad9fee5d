// A tracer's request to a venue's door, across the two real programs: staff register a venue in
// the portal (Chromium) and print its poster; the real app, bound to that poster in venue mode,
// records three people; the tracer asks the venue's door for a window that holds two of them;
// the person in charge reads the request and agrees with the PIN; the case page shows exactly
// those two, the ID card marked. The request screens are checked (axe, 44 px targets, 200 % text)
// and saved in Vietnamese and English.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import QRCode from 'qrcode';
import {
  startServices, stopServices, startPortal, openChromium, openApp, closeApp, screenshot, text,
  tempDir, portal, press, waitForDownload, adminWithRoles, bindDoor, registerVenue,
} from './harness.mjs';
import { accessibilityProblems } from './a11y.mjs';

const vi = JSON.parse(readFileSync(new URL('../../ui/src/locales/vi.json', import.meta.url), 'utf8'));
const en = JSON.parse(readFileSync(new URL('../../ui/src/locales/en.json', import.meta.url), 'utf8'));

const VENUE = 'Bưu điện Phường Thục Phán';
// Made-up people whose numbers agree with their birth and sex.
const BEFORE = { name: 'Hoàng Văn Bình', number: '004088001111', text: '004088001111||Hoàng Văn Bình|02021988|Nam|Phường Thục Phán, Cao Bằng|01012021' };
const DURING = { name: 'Nông Thị Mai', number: '004195002222', text: '004195002222||Nông Thị Mai|03031995|Nữ|Phường Hợp Giang, Cao Bằng|01012022' };
const CARD_NAME = 'Lương Thị Ánh';

let site;
let browser;
let downloads;
const pngs = {};

before(async () => {
  await startServices();
  site = await startPortal('doorreq');
  downloads = tempDir('door-request-downloads');
  browser = await openChromium(downloads);
  const dir = tempDir('door-request-cards');
  for (const [key, person] of Object.entries({ before: BEFORE, during: DURING })) {
    pngs[key] = join(dir, `${key}.png`);
    await QRCode.toFile(pngs[key], person.text, { width: 600, margin: 4, errorCorrectionLevel: 'M' });
  }
  pngs.card = join(dir, 'card.png');
  portal(
    'contact-card', '--data-dir', site.dir, '--name', CARD_NAME, '--phone', '0912 345 678',
    '--unit', '1273', '--png', pngs.card,
  );
});

after(async () => {
  await browser?.deleteSession();
  stopServices();
});

const problems = [];

async function check(app, name, lang) {
  await app.pause(200);
  await accessibilityProblems(app, name, lang, problems);
  await screenshot(app, `61-door-request-${name}-${lang}`);
}

async function go(path) {
  await browser.url(`${site.url}${path}`);
}

/** A time as staff type it in the portal, dd/mm/yyyy hh:mm in Vietnam's time. */
function vietnamInput(ms) {
  const [day, time] = new Date(ms + 7 * 3600 * 1000).toISOString().slice(0, 16).split('T');
  const [y, m, d] = day.split('-');
  return `${d}/${m}/${y} ${time}`;
}

async function scanInto(app, png, direction) {
  const input = await app.$('[data-testid=door-scan-image]');
  await input.waitForExist({ timeout: 15000 });
  await input.addValue(png);
  await app.waitUntil(
    async () => (await (await app.$('[data-testid=door-result]')).getAttribute('data-direction')) === direction,
    { timeout: 15000, timeoutMsg: `the door never said ${direction}` },
  );
}

/** The tracer asks the venue's door for `from`..`to`; returns the code to read out. */
async function ask(casePath, venueId, from, to, purpose) {
  await go(casePath);
  await (await browser.$('#door-venue')).setValue(venueId);
  await browser.execute((f, t) => {
    document.querySelector('#door-from').value = f;
    document.querySelector('#door-to').value = t;
  }, vietnamInput(from), vietnamInput(to));
  await (await browser.$('#door-purpose')).setValue(purpose);
  await (await browser.$('#create-door-request')).click();
  await (await browser.$('#notice')).waitForExist({ timeout: 10000 });
  return text(browser, '.request .code');
}

test('a venue\'s door answers a tracer\'s request with exactly the window\'s people', async () => {
  // Staff register the venue and print its poster.
  await adminWithRoles(browser, site, ['registrar', 'tracer']);
  await registerVenue(browser, site, {
    name: VENUE, address: 'Số 1 Phố Vườn Cam, Phường Thục Phán, Cao Bằng', sector: 'state-agency',
  });
  await (await browser.$('#notice')).waitForExist({ timeout: 10000 });
  const venueId = new URL(await browser.getUrl()).pathname.split('/')[2];
  await (await browser.$('#poster-png')).click();
  const poster = await waitForDownload(downloads, '.png');

  const data = tempDir('door-request-data');
  let app = await openApp(data, site.trust);
  let casePath;
  let windowFrom;
  try {
    // The venue's device, in venue mode.
    await bindDoor(app, poster);
    assert.equal(await text(app, '[data-testid=door-venue]'), VENUE);
    assert.match(await text(app, '[data-testid=door-venue-id]'), new RegExp(venueId));

    // One person comes and goes; in a later minute, two others come in.
    await scanInto(app, pngs.before, 'in');
    await (await app.$('[data-testid=door-scan-image]')).addValue(pngs.before);
    await press(app, '[data-testid=door-duplicate-yes]');
    await app.waitUntil(
      async () => (await (await app.$('[data-testid=door-result]')).getAttribute('data-direction')) === 'out',
      { timeout: 15000 },
    );
    const left = Date.now();
    const nextMinute = Math.ceil((left + 1000) / 60000) * 60000;
    await app.pause(nextMinute - Date.now() + 500);
    windowFrom = Math.floor(Date.now() / 60000) * 60000;
    await scanInto(app, pngs.during, 'in');
    await scanInto(app, pngs.card, 'in');

    // The tracer asks the venue's door for the window since that minute.
    await go('/cases');
    await (await browser.$('#label')).setValue('Ca 21 – Bưu điện');
    await (await browser.$('#open-case')).click();
    await (await browser.$('#door-venue')).waitForExist({ timeout: 10000 });
    casePath = new URL(await browser.getUrl()).pathname;
    // A window that has not begun is refused in one sentence, with what was typed kept.
    await (await browser.$('#door-venue')).setValue(venueId);
    await browser.execute((f, t) => {
      document.querySelector('#door-from').value = f;
      document.querySelector('#door-to').value = t;
    }, vietnamInput(Date.now() + 3600_000), vietnamInput(Date.now() + 7200_000));
    await (await browser.$('#door-purpose')).setValue('Truy vết ca 21');
    await (await browser.$('#create-door-request')).click();
    assert.match(await text(browser, '#door-error'), /Khoảng giờ phải đã bắt đầu/);
    assert.equal(await (await browser.$('#door-venue')).getValue(), venueId);
    await screenshot(browser, 'portal-40-door-request-error');
    const code = await ask(
      casePath, venueId, windowFrom, Math.floor(Date.now() / 60000) * 60000 + 60000,
      'Truy vết ca 21: những người có mặt tại quầy giao dịch',
    );
    assert.match(code, /^[0-9ABCDEGHKMNP-VXY]{4}-[0-9ABCDEGHKMNP-VXY]{4}-[0-9ABCDEGHKMNP-VXY]{5}$/);
    assert.equal(await text(browser, '.request .door-venue'), VENUE);
    await screenshot(browser, 'portal-41-door-request');

    // The person in charge types the code, reads the request, agrees with the PIN.
    await press(app, '[data-testid=door-request-start]');
    await (await app.$('[data-testid=door-request-code]')).setValue(code.toLowerCase());
    await check(app, 'code', 'vi');
    await press(app, '[data-testid=door-request-fetch]');
    assert.equal(await text(app, '[data-testid=door-request-who]'), 'Sở Y tế Cao Bằng hỏi sổ khách của địa điểm này');
    assert.equal(await text(app, '[data-testid=door-request-purpose]'), 'Truy vết ca 21: những người có mặt tại quầy giao dịch');
    assert.equal(await (await app.$('[data-testid=door-request-entries]')).getAttribute('data-count'), '2');
    await (await app.$('[data-testid=door-request-pin]')).setValue('1111');
    await check(app, 'review', 'vi');
    await press(app, '[data-testid=door-request-send]');
    assert.equal(await text(app, '[data-testid=door-request-problem]'), vi.errors.pin_wrong);
    await (await app.$('[data-testid=door-request-pin]')).setValue('2468');
    await press(app, '[data-testid=door-request-send]');
    assert.equal(await text(app, '[data-testid=door-request-sent]'), 'Đã gửi 2 lượt vào tới cơ quan y tế.');
    await check(app, 'sent', 'vi');
    await press(app, '[data-testid=door-request-done]');

    // A tablet at the door: the request again, already answered.
    await app.setWindowSize(800, 1280);
    await app.pause(300);
    await press(app, '[data-testid=door-request-start]');
    await (await app.$('[data-testid=door-request-code]')).setValue(code);
    await press(app, '[data-testid=door-request-fetch]');
    assert.equal(await text(app, '[data-testid=door-request-problem]'), vi.door.request.errors.share_answered);
    await check(app, 'tablet-answered', 'vi');
  } finally {
    await closeApp(app, data);
  }

  // The case page: exactly the two people of the window, the ID card marked.
  await go(casePath);
  const rows = await browser.$$('#guestbook .door-entry');
  assert.equal(rows.length, 2);
  const table = await text(browser, '#guestbook');
  assert.match(table, new RegExp(DURING.name));
  assert.match(table, new RegExp(DURING.number));
  assert.match(table, new RegExp(CARD_NAME));
  assert.match(table, /0912345678/);
  assert.doesNotMatch(table, new RegExp(BEFORE.name));
  assert.equal(await (await browser.$('#guestbook [data-source=id-card]')).isExisting(), true);
  assert.equal(await text(browser, '#guestbook [data-source=id-card] .badge'), 'Thẻ căn cước');
  await (await browser.$('#guestbook')).scrollIntoView();
  await screenshot(browser, 'portal-42-door-guestbook');

  // In English, a second request: read, then declined.
  const second = await ask(
    casePath, venueId, windowFrom - 3600_000, Math.floor(Date.now() / 60000) * 60000 + 60000,
    'Contact tracing for case 21',
  );
  // This time the door's scanner reads the request's QR from the tracer's screen.
  const secondPng = join(tempDir('door-request-qr'), 'request.png');
  await QRCode.toFile(secondPng, `VDSHARE:${second}`, { width: 600, margin: 4, errorCorrectionLevel: 'M' });
  app = await openApp(data, site.trust, { english: true });
  try {
    const scan = await app.$('[data-testid=door-scan-image]');
    await scan.waitForExist({ timeout: 15000 });
    await scan.addValue(secondPng);
    await (await app.$('[data-testid=door-request-entries]')).waitForExist({ timeout: 15000 });
    assert.equal(await (await app.$('[data-testid=door-result]')).isExisting(), false);
    assert.equal(await (await app.$('[data-testid=door-request-entries]')).getAttribute('data-count'), '3');
    await check(app, 'review', 'en');
    await press(app, '[data-testid=door-request-decline]');
    await (await app.$('[data-testid=door-request-start]')).waitForExist({ timeout: 15000 });
    await press(app, '[data-testid=door-request-start]');
    await (await app.$('[data-testid=door-request-code]')).setValue('AAAA-BBBB-CCC');
    await check(app, 'code', 'en');
  } finally {
    await closeApp(app, data);
  }
  assert.deepEqual(problems, []);
});
