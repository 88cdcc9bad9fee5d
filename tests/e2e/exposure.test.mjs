// Exposure notices across the two real programs: the citizen visited two venues and shared the
// visits with a tracer; the portal publishes a notice for one venue; the real app downloads the
// list, matches it on the phone and shows exactly one alert, for the right visit, with the advice
// in Vietnamese; after the notice is retracted, the alert clears.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import {
  startServices, stopServices, startPortal, openChromium, openApp, closeApp, screenshot, text,
  tempDir, press, waitForDownload, adminWithRoles,
} from './harness.mjs';

const A = 'Chợ Xanh Cao Bằng';
const B = 'Trạm Y tế Phường Thục Phán';
const ADVICE = 'Hãy đi xét nghiệm tại trạm y tế gần nhất trong hôm nay.';

let site;
let browser;
let downloads;

before(async () => {
  await startServices();
  site = await startPortal('exposure');
  downloads = tempDir('exposure-downloads');
  browser = await openChromium(downloads);
});

after(async () => {
  await browser?.deleteSession();
  stopServices();
});

async function go(path) {
  await browser.url(`${site.url}${path}`);
}

/** Registers a venue in the browser and downloads its PNG poster. */
async function poster(name) {
  await go('/venues/new');
  await (await browser.$('#name')).setValue(name);
  await (await browser.$('#address')).setValue('Phường Thục Phán, Cao Bằng');
  await (await browser.$('#commune')).selectByVisibleText('Phường Thục Phán');
  await (await browser.$('#sector')).selectByAttribute('value', 'market');
  await (await browser.$('#contact_name')).setValue('Nông Văn Tổ');
  await (await browser.$('#contact_phone')).setValue('0912345678');
  await (await browser.$('#save')).click();
  await (await browser.$('#poster-png')).waitForExist({ timeout: 10000 });
  const seen = readdirSync(downloads);
  await (await browser.$('#poster-png')).click();
  return waitForDownload(downloads, '.png', seen);
}

async function checkAlerts(app) {
  await (await app.$('[data-tab=alerts]')).click();
  await press(app, '[data-testid=check-exposures]');
  await app.waitUntil(async () => (await (await app.$('[data-testid=check-exposures]')).isEnabled()), {
    timeout: 20000,
  });
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
  const app = await openApp(data, site.trust);
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
      await (await row.$('summary')).click();
      await (await row.$('textarea[name=advice_vi]')).setValue(ADVICE);
      await (await row.$('form button[type=submit]')).click();
      made = true;
      break;
    }
        assert.ok(made, 'the case page offers a notice for A');
    await (await browser.$('.exposure-notice form button')).waitForExist({ timeout: 10000 });
    await screenshot(browser, 'portal-30-notice-draft');
    await (await browser.$('.exposure-notice form button')).click();
    await (await browser.$('.exposure-notice[data-state=published]')).waitForExist({ timeout: 10000 });

    // The app downloads the list and matches on the phone: one alert, for A.
    await checkAlerts(app);
    const alerts = await app.$$('[data-testid=alert]');
    assert.equal(alerts.length, 1);
    assert.equal(await text(app, '[data-testid=alert-advice]'), ADVICE);
    assert.match(await text(app, '[data-testid=alert-visit]'), new RegExp(A));
    assert.equal(await text(app, '[data-testid=alert-count]'), '1');
    await screenshot(app, '30-alert');

    // Retracted in the portal: the alert clears on the phone.
    await go(casePath);
    await (await browser.$('.exposure-notice[data-state=published] form button')).click();
    await (await browser.$('.exposure-notice[data-state=retracted]')).waitForExist({ timeout: 10000 });
    await checkAlerts(app);
    assert.equal(await (await app.$('[data-testid=no-alerts]')).isExisting(), true);
    assert.equal(await (await app.$('[data-testid=alert-count]')).isExisting(), false);
    await screenshot(app, '31-alert-cleared');
  } finally {
    await closeApp(app, data);
  }
});
