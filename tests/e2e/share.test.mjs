// Sharing across the two real programs: the portal (real server, headless Chromium) asks for a
// diary; the real desktop app checks in at three venues, is given the code, unticks one visit and
// consents; the portal's case page shows exactly the two shared visits. A second share with the
// same code is refused in the app with a clear sentence.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  startServices, stopServices, startPortal, openChromium, openApp, closeApp, screenshot, screenshots, printed, text,
  tempDir, portal, press, waitForDownload, adminWithRoles,
} from './harness.mjs';

const vi = JSON.parse(readFileSync(new URL('../../ui/src/locales/vi.json', import.meta.url), 'utf8'));

const SHARED = 'Chợ Xanh Cao Bằng – Gian hàng số 7';
const UNTICKED = 'Nhà văn hóa Tổ 5 Phường Thục Phán';
// Hostile text a venue code can carry: it must reach the tracer as plain text, and a spreadsheet
// must not run it.
const HOSTILE = '=HYPERLINK("http://evil.example","<script>alert(1)</script>")';

let site;
let browser;
let downloads;
// The case the first test opens; the second asks again on it.
let casePath;
/** The four digits the app showed for the diary it sent. */
let checkDigits;

before(async () => {
  await startServices();
  site = await startPortal('share');
  downloads = tempDir('share-downloads');
  browser = await openChromium(downloads);
});

after(async () => {
  await browser?.deleteSession();
  stopServices();
});

function venueCode(name, address) {
  const out = portal(
    'venue-code', 'make', '--data-dir', site.dir, '--name', name, '--address', address,
    '--unit', '1273', '--sector', 'market',
  );
  return out.trim().split('\n').at(-1);
}

async function go(path) {
  await browser.url(`${site.url}${path}`);
}

async function typeCode(app, code, name) {
  await (await app.$('[data-tab=home]')).click();
  // The form stays open after a check-in; the toggle would close it.
  if (!(await (await app.$('#code')).isExisting())) await press(app, `button=${vi.home.typeCode}`);
  await (await app.$('#code')).setValue(code);
  await press(app, `button=${vi.home.submitCode}`);
  await app.waitUntil(
    async () => (await (await app.$('[data-testid=notice]')).getText()).includes(name),
    { timeout: 15000, timeoutMsg: `${name} was not checked in` },
  );
}

async function askForCode(app, code) {
  await (await app.$('[data-tab=share]')).click();
  const input = await app.$('#share-code');
  await input.waitForExist({ timeout: 15000 });
  await input.setValue(code);
  await press(app, '[data-testid=fetch-request]');
}

test('a tracer asks, the citizen shares two of three visits, the portal shows exactly those', async () => {
  // The admin, who also traces in this small department, opens a case and a share request.
  await adminWithRoles(browser, site, ['tracer']);
  await go('/cases');
  await (await browser.$('#label')).setValue('Ca 12 – Phường Thục Phán');
  await (await browser.$('#notes')).setValue('Sốt từ ngày 25/11.');
  await (await browser.$('#open-case')).click();
  await (await browser.$('#purpose')).waitForExist({ timeout: 10000 });
  casePath = new URL(await browser.getUrl()).pathname;
  await (await browser.$('#purpose')).setValue('Truy vết tiếp xúc của ca bệnh số 12');
  await (await browser.$('#create-request')).click();
  const code = await text(browser, '.request .code');
  assert.match(code, /^[0-9ABCDEGHKMNP-VXY]{4}-[0-9ABCDEGHKMNP-VXY]{4}-[0-9ABCDEGHKMNP-VXY]{5}$/);
  await screenshot(browser, 'portal-20-share-request');

  // The citizen checked in at three venues of this authority.
  const data = tempDir('share-data');
  const app = await openApp(data, site.trust);
  try {
    for (const [name, address] of [
      [SHARED, 'Phố Xuân Trường, Phường Thục Phán'],
      [UNTICKED, 'Tổ 5, Phường Thục Phán'],
      [HOSTILE, '=1+2'],
    ]) {
      await typeCode(app, venueCode(name, address), name);
    }

    // The code the tracer read out, typed in lower case with spaces.
    await askForCode(app, code.toLowerCase().replaceAll('-', ' '));
    assert.equal(await text(app, '[data-testid=share-department]'), 'Sở Y tế Cao Bằng');
    assert.equal(await text(app, '[data-testid=share-purpose]'), 'Truy vết tiếp xúc của ca bệnh số 12');
    const choices = await app.$$('[data-testid=share-visit]');
    assert.equal(choices.length, 3);
    // The last visit is still going on: marked, and what the tracer will count is said.
    assert.equal((await app.$$('[data-testid=share-in-progress]')).length, 1);
    const note = await text(app, '[data-testid=share-in-progress-note]');
    const [before, after] = ['Lượt ghé ', ' chưa có giờ ra. Nếu chia sẻ bây giờ, cán bộ truy vết sẽ tính là bạn ở đó đến '];
    assert.ok(note.startsWith(`${before}${HOSTILE}${after}`), note);
    // The time it will close, with its date when that is not today (a run near midnight).
    assert.match(note.slice(`${before}${HOSTILE}${after}`.length), /^(\d\d\/\d\d\/\d{4} )?\d\d:\d\d\.$/);
    await screenshot(app, '20-share-review');
    for (const choice of choices) {
      if ((await choice.getText()).includes(UNTICKED)) {
        await choice.scrollIntoView({ block: 'center' });
        await (await choice.$('input')).click();
      }
    }
    assert.equal(await text(app, '[data-testid=consent]'), 'Chia sẻ 2 lượt ghé với Sở Y tế Cao Bằng');
    await screenshot(app, '21-share-consent');
    await press(app, '[data-testid=consent]');
    assert.equal(await text(app, '[data-testid=share-result]'), 'Đã gửi 2 lượt ghé cho Sở Y tế Cao Bằng.');
    // Four digits to read to the tracer on the call; the portal shows its own (checked below).
    checkDigits = (await text(app, '[data-testid=share-check-digits] .digits')).trim();
    assert.match(checkDigits, /^\d{4}$/);
    await screenshot(app, '22-share-sent');

    // The sharing log, on the Share tab, says exactly what left the phone.
    await press(app, '[data-testid=share-done]');
    await (await app.$('[data-testid=share-log]')).waitForExist({ timeout: 10000 });
    const log = await text(app, '[data-testid=share-log]');
    assert.match(log, /Sở Y tế Cao Bằng/);
    assert.match(log, new RegExp(`2 lượt ghé · yêu cầu ${code}`));
    assert.match(log, /Đã gửi qua mạng/);
    // Opened, its list names exactly the two visits that left, not the unticked one.
    await press(app, '[data-testid=share-visits] summary');
    const sent = [];
    for (const v of await app.$$('[data-testid=share-visit-sent] .name')) sent.push(await v.getText());
    assert.deepEqual(sent.sort(), [SHARED, HOSTILE].sort());
    await (await app.$('[data-testid=share-log]')).scrollIntoView();
    await screenshot(app, '23-share-history');

    // The same code again: refused, in one sentence, and nothing is sent.
    await askForCode(app, code);
    assert.equal(await text(app, '[data-testid=share-notice]'), vi.share.errors.share_answered);
    assert.equal(await (await app.$('[data-testid=consent]')).isExisting(), false);
    await screenshot(app, '24-share-answered');
  } finally {
    await closeApp(app, data);
  }

  // The case page opens the sealed diary: exactly the two chosen visits, names intact; beside it,
  // the same four digits the app showed.
  await go(casePath);
  assert.equal(await text(browser, '.check-digits'), checkDigits);
  await browser.execute(() => document.querySelector('.check-digits').scrollIntoView({ block: 'center' }));
  await screenshot(browser, 'portal-22-check-digits');
  const names = await browser.$$('#timeline .venue-name');
  const shown = [];
  for (const n of names) shown.push(await n.getText());
  assert.deepEqual(shown, [SHARED, HOSTILE]);
  assert.equal(await browser.execute(() => document.querySelectorAll('main script').length), 0);
  await browser.execute(() => document.querySelector('#visits-heading').scrollIntoView());
  await screenshot(browser, 'portal-21-case-timeline');

  await (await browser.$(`a[href="${casePath}/visits.csv"]`)).click();
  const csv = readFileSync(await waitForDownload(downloads, '.csv'), 'utf8');
  assert.ok(csv.includes(SHARED), csv);
  assert.ok(!csv.includes(UNTICKED));
  assert.ok(csv.includes(`"'=HYPERLINK(""http://evil.example"",""<script>alert(1)</script>"")"`), csv);
  // The address a v2 code carries is the street with the commune's names after it: the cell
  // still begins with the neutralising quote.
  assert.ok(csv.includes(`"'=1+2, Phường Thục Phán, Cao Bằng"`), csv);
});

test("the request's QR on the portal opens the request in the app, from the Scan tab or the Share screen", async () => {
  await go(casePath);
  await (await browser.$('#purpose')).setValue('Hỏi lại bằng mã QR');
  // Until 23:59 today (Vietnam's time): a request for part of a day, signed to the minute.
  await browser.execute(() => {
    document.querySelector('#to-time').value = '23:59';
  });
  await (await browser.$('#new-request-heading')).scrollIntoView({ block: 'start' });
  await screenshot(browser, 'portal-23-request-hours');
  await (await browser.$('#create-request')).click();
  const waiting = await browser.$('.request p.code[id^="code-"]');
  await waiting.waitForExist({ timeout: 10000 });
  const code = await waiting.getText();
  // The QR as the tracer's screen shows it: a picture of the screen, as a phone's camera sees it.
  const shown = await browser.$(`.request[data-code="${code}"] img.qr`);
  await shown.scrollIntoView({ block: 'center' });
  const qr = join(tempDir('share-qr'), 'request.png');
  await shown.saveScreenshot(qr);

  const data = tempDir('share-qr-data');
  const app = await openApp(data, site.trust);
  try {
    // Scanned by habit where venues are scanned: the Share screen takes the request.
    const input = await app.$('[data-testid=import-image]');
    await input.waitForExist({ timeout: 15000 });
    await input.addValue(qr);
    await app.waitUntil(
      async () => (await (await app.$('[data-testid=share-purpose]')).isExisting()),
      { timeout: 15000, timeoutMsg: 'the request QR did not open the request' },
    );
    assert.equal(await text(app, '[data-testid=share-purpose]'), 'Hỏi lại bằng mã QR');
    assert.equal(await text(app, '[data-testid=share-department]'), 'Sở Y tế Cao Bằng');
    // The case page names the span to the minute as well.
    assert.match(await text(browser, `.request[data-code="${code}"]`), /– \d\d\/\d\d\/\d{4} 23:59/);
    assert.match(await text(app, '[data-testid=share-range]'), /^Từ \d\d\/\d\d\/\d{4} đến \d\d\/\d\d\/\d{4} 23:59 \(giờ Việt Nam\)$/);
    assert.equal(await (await app.$('[data-testid=share-notice]')).isExisting(), false);
    await screenshot(app, '25-share-from-scan');
    await press(app, '[data-testid=cancel-share]');

    // The Share screen's own picker reads the same QR.
    const picker = await app.$('[data-testid=request-image]');
    await picker.waitForExist({ timeout: 15000 });
    await picker.addValue(qr);
    await (await app.$('[data-testid=share-purpose]')).waitForExist({ timeout: 15000 });
    assert.equal(await text(app, '[data-testid=share-purpose]'), 'Hỏi lại bằng mã QR');
    await press(app, '[data-testid=cancel-share]');

    // Nothing was checked in: the request's QR is not a venue.
    await (await app.$('[data-tab=diary]')).click();
    await (await app.$('[data-testid=diary-empty]')).waitForExist({ timeout: 15000 });
    assert.equal(await (await app.$('[data-testid=visit]')).isExisting(), false);
  } finally {
    await closeApp(app, data);
  }

  // Looking and cancelling sent nothing: the request still waits for a diary.
  await go(casePath);
  assert.equal(await (await browser.$(`.request[data-code="${code}"] img.qr`)).isExisting(), true);
});

test('the tracer prints a slip for the citizen, then cancels the request: the app is told it is closed', async () => {
  await go(casePath);
  await (await browser.$('#purpose')).setValue('Phiếu in cho người cao tuổi');
  await (await browser.$('#create-request')).click();
  const waiting = await browser.$('.request p.code[id^="code-"]');
  await waiting.waitForExist({ timeout: 10000 });
  const code = await waiting.getText();
  const card = `.request[data-code="${code}"]`;

  // The slip: the code, its QR, when it stops working and three steps, in print without the
  // portal's header.
  await (await browser.$(`${card} a.slip`)).click();
  assert.equal(await text(browser, '#slip-code'), code);
  assert.match(await text(browser, '#slip-expires'), /^\d\d\/\d\d\/\d{4} \d\d:\d\d$/);
  assert.equal((await browser.$$('.slip-steps li')).length, 3);
  const qr = await browser.$('.slip img.qr');
  assert.ok(await browser.execute((img) => img.complete && img.naturalWidth > 0, qr), 'the QR is drawn');
  await screenshots(browser, 'portal-24-request-slip');
  await printed(browser, 'portal-24-request-slip-print');

  // Cancelled after asking, with what will happen.
  await go(casePath);
  await (await browser.$(`${card} a.cancel-request`)).click();
  await (await browser.$('#consequences')).waitForExist({ timeout: 10000 });
  assert.match(await text(browser, '#consequences'), /Mã không dùng được nữa/);
  await screenshots(browser, 'portal-25-confirm-cancel-request');
  await (await browser.$('#confirm')).click();
  await (await browser.$('#notice')).waitForExist({ timeout: 10000 });
  assert.match(await text(browser, '#notice'), /Đã huỷ yêu cầu/);
  assert.equal(await text(browser, `${card} .status-cancelled`), 'Đã huỷ');
  assert.equal(await (await browser.$(`${card} a.slip`)).isExisting(), false);
  assert.equal(await (await browser.$(`${card} img.qr`)).isExisting(), false);

  // The citizen types the code anyway: the app says the request is closed, and sends nothing.
  const data = tempDir('share-cancelled-data');
  const app = await openApp(data, site.trust);
  try {
    await askForCode(app, code);
    assert.equal(await text(app, '[data-testid=share-notice]'), vi.share.errors.share_expired);
    assert.match(vi.share.errors.share_expired, /đã được cán bộ huỷ/);
    assert.equal(await (await app.$('[data-testid=share-purpose]')).isExisting(), false);
    await screenshot(app, '26-share-cancelled');
  } finally {
    await closeApp(app, data);
  }
});
