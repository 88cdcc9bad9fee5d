// Exposure notices across the two real programs: the citizen visited two venues and shared the
// visits with a tracer; the tracer drafts a notice for one venue and a supervisor publishes it; the real app downloads the
// list, matches it on the phone, raises one system notification and shows exactly one alert, for
// the right visit, with the advice in Vietnamese. A tampered list and a replayed older list are
// ignored with a sentence; after the notice is retracted, a pull on the Alerts screen clears it.
// The alert's next steps name the department's hotline, which the trust file carries; on a
// phone it is a button that opens the dialler.
// A venue the registrar deactivates is withdrawn: after the next list, a check-in there warns.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, request } from 'node:http';
import {
  startServices, stopServices, startPortal, openChromium, openApp, closeApp, screenshot, screenshots, text,
  tempDir, press, waitForDownload, adminWithRoles, signInAsNewStaff, signOutOfPortal, ADMIN_PASSWORD, portal, registerVenue,
} from './harness.mjs';
import { notificationServer } from './notifications.mjs';
import { fakePhone, phoneCalls } from './phone-fake.mjs';

const A = 'Chợ Xanh Cao Bằng';
const B = 'Trạm Y tế Phường Thục Phán';
const ADVICE = 'Hãy đi xét nghiệm tại trạm y tế gần nhất trong hôm nay.';
const HOTLINE = '0206 3852 123';

let site;
let browser;
let downloads;
let notifications;
let proxy;

before(async () => {
  await startServices();
  notifications = await notificationServer();
  proxy = await listProxy();
  site = await startPortal('exposure', { publicUrl: proxy.url });
  proxy.state.target = site.direct;
  // The department's hotline, set in its settings as staff do; `init` again writes it into the
  // trust file the app is built with.
  const settingsFile = join(site.dir, 'authority.json');
  const settings = JSON.parse(readFileSync(settingsFile, 'utf8'));
  writeFileSync(settingsFile, JSON.stringify({ ...settings, department: { ...settings.department, hotline: HOTLINE } }));
  portal('init', '--data-dir', site.dir, '--host', 'yte.exposure.example', '--portal-url', proxy.url);
  downloads = tempDir('exposure-downloads');
  browser = await openChromium(downloads);
});

after(async () => {
  await browser?.deleteSession();
  notifications?.stop();
  proxy?.server.close();
  stopServices();
});

/**
 * The network in front of the portal: it passes everything through to `state.target`, remembers
 * the last exposure list, and on demand serves that list with its signature broken (`tamper`) or
 * a list recorded earlier (`replay`).
 */
async function listProxy() {
  const state = { target: null, mode: 'pass', last: null, recorded: null };
  const server = createServer((req, res) => {
    const isList = req.url.startsWith('/api/v1/exposures');
    if (isList && state.mode !== 'pass') {
      const body = state.mode === 'replay' ? state.recorded : tamper(state.last);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
      return;
    }
    const headers = { ...req.headers };
    delete headers.host;
    const upstream = request(`${state.target}${req.url}`, { method: req.method, headers }, (up) => {
      const chunks = [];
      up.on('data', (c) => chunks.push(c));
      up.on('end', () => {
        const body = Buffer.concat(chunks);
        if (isList && up.statusCode === 200) state.last = body;
        res.writeHead(up.statusCode, up.headers);
        res.end(body);
      });
    });
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, state, url: `http://127.0.0.1:${server.address().port}` };
}

/** The same list with the last byte of its signature flipped. */
function tamper(body) {
  const list = JSON.parse(body);
  const signed = Buffer.from(list.signed, 'base64url');
  signed[signed.length - 1] ^= 1;
  return JSON.stringify({ ...list, signed: signed.toString('base64url') });
}

async function go(path) {
  await browser.url(`${site.url}${path}`);
}

/** Registers a venue in the browser and downloads its PNG poster. */
async function poster(name) {
  await registerVenue(browser, site, {
    name, address: 'Phường Thục Phán, Cao Bằng', sector: 'market', phone: '0912345678',
  });
  await (await browser.$('#poster-png')).waitForExist({ timeout: 10000 });
  const seen = readdirSync(downloads);
  await (await browser.$('#poster-png')).click();
  return waitForDownload(downloads, '.png', seen);
}

async function checkAlerts(app) {
  await (await app.$('[data-tab=alerts]')).click();
  // A check the app began by itself (on start, or back in sight) disables the button: pressing
  // it then does nothing, and its answer may be from before the change the test waits for.
  await checked(app);
  await press(app, '[data-testid=check-exposures]');
  await checked(app);
}

async function checked(app) {
  await app.waitUntil(async () => (await (await app.$('[data-testid=check-exposures]')).isEnabled()), {
    timeout: 20000,
  });
}

/** Drags the Alerts screen down from its heading and lets go, as a thumb would. */
async function pullDown(app) {
  await (await app.$('[data-tab=alerts]')).click();
  const title = await app.$('#alerts-title');
  await app
    .action('pointer', { parameters: { pointerType: 'mouse' } })
    .move({ origin: title })
    .down()
    .move({ origin: 'pointer', y: 80, duration: 100 })
    .move({ origin: 'pointer', y: 120, duration: 100 })
    .up()
    .perform();
  await checked(app);
}

async function statusLine(app) {
  const out = [];
  for (const line of await app.$$('[data-testid=exposure-status]')) out.push(await line.getText());
  return out;
}

test('a notice for one of two visited venues raises exactly one alert, cleared on retraction', async () => {
  // The admin here also registers venues and traces.
  await adminWithRoles(browser, site, ['registrar', 'tracer']);
  const posterA = await poster(A);
  const posterB = await poster(B);

  // A case and a share request.
  await go('/cases');
  await (await browser.$('#label')).setValue('Ca 5');
  await (await browser.$('#open-case')).click();
  await (await browser.$('#purpose')).waitForExist({ timeout: 10000 });
  const casePath = new URL(await browser.getUrl()).pathname;
  await (await browser.$('#purpose')).setValue('Truy vết ca bệnh số 5');
  await (await browser.$('#create-request')).click();
  const code = await text(browser, '.request .code');

  const data = tempDir('exposure-data');
  let app = await openApp(data, site.trust);
  try {
    // The citizen was at A, then at B, and shares both visits.
    for (const [png, name] of [[posterA, A], [posterB, B]]) {
      await (await app.$('[data-tab=home]')).click();
      const input = await app.$('[data-testid=import-image]');
      await input.waitForExist({ timeout: 15000 });
      await input.addValue(png);
      await app.waitUntil(async () => (await text(app, '[data-testid=notice]')).includes(name), { timeout: 15000 });
    }
    await (await app.$('[data-tab=share]')).click();
    await (await app.$('#share-code')).setValue(code);
    await press(app, '[data-testid=fetch-request]');
    await (await app.$('[data-testid=consent]')).waitForExist({ timeout: 15000 });
    await press(app, '[data-testid=consent]');
    await (await app.$('[data-testid=share-result]')).waitForExist({ timeout: 15000 });

    // No notice yet: no alert.
    await checkAlerts(app);
    assert.equal(await (await app.$('[data-testid=no-alerts]')).isExisting(), true);

    // The tracer publishes a notice for A only.
    await go(casePath);
    const rows = await browser.$$('#timeline tr.visit');
    let made = false;
    for (const row of rows) {
      if (!(await row.getText()).includes(A)) continue;
      await (await row.$('a.make-notice')).click();
      made = true;
      break;
    }
    assert.ok(made, 'the case page offers a notice for A');
    // The form: the window from the visit, the advice proposed for the level, and the notice as
    // phones in each language will show it.
    await (await browser.$('#notice-form')).waitForExist({ timeout: 10000 });
    const card = (lang, part) => text(browser, `.phone-card[data-lang=${lang}] .${part}`);
    assert.equal(await card('vi', 'level'), 'Đi xét nghiệm');
    assert.equal(await card('en', 'level'), 'Get tested');
    const proposedTest = await (await browser.$('#advice_vi')).getValue();
    // Another level: the untouched advice follows it, and so does the preview.
    await (await browser.$('#level')).selectByAttribute('value', 'monitor');
    await browser.waitUntil(async () => (await card('vi', 'level')) === 'Theo dõi sức khoẻ', { timeout: 5000 });
    const proposedMonitor = await (await browser.$('#advice_vi')).getValue();
    assert.notEqual(proposedMonitor, proposedTest);
    assert.match(proposedMonitor, /theo dõi sức khoẻ/);
    assert.equal(await card('vi', 'advice'), proposedMonitor);
    assert.match(await card('en', 'advice'), /Watch your health/);
    await (await browser.$('#level')).selectByAttribute('value', 'test');
    assert.equal(await (await browser.$('#advice_vi')).getValue(), proposedTest);
    // Typed advice is the tracer's own: it stays whatever the level, and the preview shows it.
    await (await browser.$('#advice_vi')).setValue(ADVICE);
    await browser.waitUntil(async () => (await card('vi', 'advice')) === ADVICE, { timeout: 5000 });
    await (await browser.$('#level')).selectByAttribute('value', 'monitor');
    assert.equal(await (await browser.$('#advice_vi')).getValue(), ADVICE);
    await (await browser.$('#level')).selectByAttribute('value', 'test');
    assert.match(await card('vi', 'window'), /^Thời gian có nguy cơ: \d\d:\d\d \d\d\/\d\d\/\d{4} – /);
    assert.match(await card('en', 'window'), /^Time of risk: \d\d:\d\d \d\d [A-Z][a-z]{2} \d{4} – /);
    await screenshots(browser, 'portal-29-notice-form', '#level');
    // A window typed to end in the future comes back with the message beside the end time,
    // everything typed kept.
    const to = await (await browser.$('#to')).getValue();
    await (await browser.$('#to')).setValue('31/12/2099 10:00');
    await (await browser.$('#save-draft')).click();
    await (await browser.$('#to-error')).waitForExist({ timeout: 10000 });
    assert.match(await text(browser, '#to-error'), /kết thúc trước bây giờ/);
    assert.equal(await (await browser.$('#advice_vi')).getValue(), ADVICE);
    assert.equal(await (await browser.$('#to')).getValue(), '31/12/2099 10:00');
    await screenshots(browser, 'portal-29b-notice-form-mistake', '#to');
    await (await browser.$('#to')).setValue(to);
    await (await browser.$('#save-draft')).click();
    // Drafted: it waits for a supervisor; the tracer has no button to publish it.
    await (await browser.$('.exposure-notice .awaiting')).waitForExist({ timeout: 10000 });
    assert.equal(await (await browser.$('.exposure-notice a.publish')).isExisting(), false);
    await screenshots(browser, 'portal-30-notice-draft', '.exposure-notice');
    // A second member of staff, a supervisor, finds it among the drafts waiting and publishes it.
    await signInAsNewStaff(browser, site, 'duyet', ['supervisor']);
    await go('/notices');
    await (await browser.$(`a[href="${casePath}#notices"]`)).click();
    await (await browser.$('.exposure-notice a.publish')).waitForExist({ timeout: 10000 });
    await screenshots(browser, 'portal-31-notice-to-approve', '.exposure-notice');
    // Publishing asks first, showing the notice as phones will and what will happen.
    await (await browser.$('.exposure-notice a.publish')).click();
    await (await browser.$('#confirm')).waitForExist({ timeout: 10000 });
    assert.match(await text(browser, '.confirm'), new RegExp(ADVICE));
    assert.match(await text(browser, '#consequences'), /tải danh sách kế tiếp/);
    await screenshots(browser, 'portal-32-confirm-publish');
    await (await browser.$('#confirm')).click();
    await (await browser.$('.exposure-notice[data-state=published]')).waitForExist({ timeout: 10000 });

    // The app downloads the list and matches on the phone: one alert, for A.
    await checkAlerts(app);
    const alerts = await app.$$('[data-testid=alert]');
    assert.equal(alerts.length, 1);
    assert.equal(await text(app, '[data-testid=alert-advice]'), ADVICE);
    assert.match(await text(app, '[data-testid=alert-visit]'), new RegExp(A));
    // What to do next names the department's hotline, and 115 only for an emergency.
    const next = await text(app, '[data-testid=alert-next]');
    assert.ok(next.includes(`gọi đường dây nóng của `) && next.includes(`: ${HOTLINE}, hoặc báo trạm y tế`), next);
    assert.match(next, /Khi khó thở, gọi cấp cứu 115\.$/);
    assert.equal(await text(app, '[data-testid=alert-count]'), '1');
    await screenshot(app, '30-alert');
    // A computer cannot call: the number is only read there.
    assert.equal(await (await app.$('[data-testid=alert-call]')).isExisting(), false);
    // One system notification, in Vietnamese, naming neither the place nor the time.
    await app.waitUntil(async () => notifications.received.length > 0, { timeout: 10000 });
    assert.equal(notifications.received.length, 1);
    assert.equal(notifications.received[0].summary, 'Cảnh báo tiếp xúc');
    assert.match(notifications.received[0].body, /^Một lượt ghé của bạn .*Hãy đi xét nghiệm/);
    assert.doesNotMatch(notifications.received[0].body, new RegExp(A));
    proxy.state.recorded = proxy.state.last;

    // On a phone the hotline is also a button that opens the dialler with its number filled in
    // (the phone's plugins faked in the page, as in phone.test.mjs); the citizen presses call.
    await closeApp(app, data);
    app = await openApp(data, site.trust, { asPhone: true });
    await fakePhone(app);
    await (await app.$('[data-tab=alerts]')).click();
    const call = await app.$('[data-testid=alert-call]');
    await call.waitForExist({ timeout: 15000 });
    assert.equal(await call.getText(), `Gọi đường dây nóng ${HOTLINE}`);
    await call.scrollIntoView({ block: 'center' });
    await screenshot(app, '30-alert-phone');
    await press(app, '[data-testid=alert-call]');
    await app.waitUntil(async () => (await phoneCalls(app, 'plugin:phone|dial')).length === 1);
    assert.deepEqual(await phoneCalls(app, 'plugin:phone|dial'), [{ number: HOTLINE }]);
    assert.equal(await (await app.$('[data-testid=alert-call-failed]')).isExisting(), false);
    await closeApp(app, data);
    app = await openApp(data, site.trust);

    // Checking again announces nothing new.
    await checkAlerts(app);
    assert.equal((await app.$$('[data-testid=alert]')).length, 1);

    // A list whose signature was tampered with on the way: ignored, said, the alert kept.
    proxy.state.mode = 'tamper';
    await checkAlerts(app);
    assert.deepEqual(await statusLine(app), [
      'Danh sách vừa tải không xác thực được là của cơ quan y tế, nên ứng dụng không dùng. Cảnh báo đã có vẫn giữ nguyên.',
    ]);
    assert.equal((await app.$$('[data-testid=alert]')).length, 1);
    await screenshot(app, '31-alert-tampered-list');
    proxy.state.mode = 'pass';

    // Retracted in the portal: a pull on the Alerts screen clears the alert on the phone.
    await go(casePath);
    await (await browser.$('.exposure-notice[data-state=published] a.retract')).click();
    await (await browser.$('#confirm')).waitForExist({ timeout: 10000 });
    await screenshots(browser, 'portal-33-confirm-retract');
    await (await browser.$('#confirm')).click();
    await (await browser.$('.exposure-notice[data-state=retracted]')).waitForExist({ timeout: 10000 });
    await pullDown(app);
    await app.waitUntil(async () => (await app.$('[data-testid=no-alerts]')).isExisting(), { timeout: 20000 });
    assert.equal(await (await app.$('[data-testid=alert-count]')).isExisting(), false);
    assert.deepEqual(await statusLine(app), []);
    // Not just gone: the citizen told to get tested is told it was withdrawn, for A's visit.
    const withdrawnNote = await text(app, '[data-testid=alert-withdrawn]');
    assert.match(withdrawnNote, /^Cơ quan y tế đã thu hồi cảnh báo về lượt ghé /);
    assert.match(withdrawnNote, new RegExp(`${A} ngày \\d\\d/\\d\\d/\\d{4}\\. Bạn không cần làm theo lời khuyên đó nữa\\.`));
    assert.match(await text(app, '[data-testid=checked-at]'), /^Kiểm tra lần cuối lúc \d\d:\d\d /);
    await screenshot(app, '32-alert-withdrawn');

    // The older list, with the notice still in it, replayed: refused, the alert stays gone.
    proxy.state.mode = 'replay';
    await checkAlerts(app);
    assert.deepEqual(await statusLine(app), [
      'Danh sách vừa tải cũ hơn danh sách đã có, nên ứng dụng không dùng. Cảnh báo đã có vẫn giữ nguyên.',
    ]);
    assert.equal(await (await app.$('[data-testid=no-alerts]')).isExisting(), true);
    assert.equal(notifications.received.length, 1);
    proxy.state.mode = 'pass';

    // The registrar (the admin) deactivates A: its code is withdrawn in the next list. A
    // check-in with A's old poster is still recorded, with a warning.
    await signOutOfPortal(browser);
    await go('/login');
    await (await browser.$('#username')).setValue('admin');
    await (await browser.$('#password')).setValue(ADMIN_PASSWORD);
    await (await browser.$('main button[type=submit]')).click();
    await (await browser.$('main a[href="/admin/users"]')).waitForExist({ timeout: 10000 });
    await go(`/venues?q=${encodeURIComponent(A)}`);
    await (await browser.$(`a=${A}`)).click();
    await (await browser.$('#deactivate')).click();
    await (await browser.$('#confirm')).waitForExist({ timeout: 10000 });
    assert.match(await text(browser, '.confirm'), new RegExp(A));
    await screenshots(browser, 'portal-34-confirm-deactivate');
    await (await browser.$('#confirm')).click();
    await (await browser.$('form[action$="/activate"] button')).waitForExist({ timeout: 10000 });
    assert.match(await text(browser, '#notice'), /mã QR của địa điểm đã bị thu hồi/);
    await checkAlerts(app);
    assert.deepEqual(await statusLine(app), []);
    await (await app.$('[data-tab=home]')).click();
    await (await app.$('[data-testid=import-image]')).addValue(posterA);
    await app.waitUntil(async () => (await text(app, '[data-testid=notice]')).includes(A), { timeout: 15000 });
    // B's visit, still open, is closed by this scan, and said first.
    const said = await text(app, '[data-testid=notice]');
    const closedB = `Đã ghi giờ ra khỏi ${B} lúc `;
    assert.ok(said.startsWith(closedB), said);
    assert.equal(
      said.slice(closedB.length).replace(/^\d\d:\d\d\. /, ''),
      `Đã ghi nhận: ${A}. Lưu ý: cơ quan y tế đã thu hồi mã QR của địa điểm này, nên áp phích bạn quét có thể đã cũ hoặc không phải của địa điểm. Hãy báo nhân viên địa điểm.`,
    );
    await screenshot(app, '33-withdrawn-venue');
  } finally {
    await closeApp(app, data);
  }
});
