// The portal in a real Chromium, as health staff use it, and its poster in the real app:
// sign in → make a registrar → register a venue → download its poster → the app checks in with
// the poster's QR → the coverage report counts the venue.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  startServices, stopServices, startPortal, openChromium, openApp, closeApp, screenshot, screenshots, printed, text,
  tempDir, waitForDownload, ADMIN_PASSWORD, portal,
} from './harness.mjs';

const VENUE = 'Nhà văn hóa Tổ 5 Phường Thục Phán';
// A venue code v1's fragment (crates/protocol/test-cases/venue-code/valid/agency.txt).
const V1_FRAGMENT =
  'hE2iAScESKV_BbsC1brgoFiVqAABAVBCQkJCQkJCQoJCQkJCQkJCAngp4bumeSBiYW4gbmjDom4gZMOibiBQaMaw4budbmcgSOG7o3AgR2lhbmcDeERT4buRIDEgUGjhu5EgSG_DoG5nIMSQw6xuaCBHaW9uZywgUGjGsOG7nW5nIFRo4bulYyBQaMOhbiwgQ2FvIELhurFuZwQZBPkFAAYYLQcZUTJYQMet35poeJuFXrdmxT1rI3sthkZCQB4D_abZnTQ31SxjVPVibnc9VRO7O_uCJ6d2jTSVS_JoeZ5A3eFv7XSI0Qw';
const REGISTRAR_PASSWORD = 'hoa ban nở trắng núi rừng';

let site;
let browser;
let downloads;

before(async () => {
  await startServices();
  site = await startPortal('caobang');
  downloads = tempDir('downloads');
  browser = await openChromium(downloads);
});

after(async () => {
  await browser?.deleteSession();
  stopServices();
});

async function go(path) {
  await browser.url(`${site.url}${path}`);
}

async function signIn(name, password) {
  await go('/login');
  await (await browser.$('#username')).setValue(name);
  await (await browser.$('#password')).setValue(password);
  await (await browser.$('main button[type=submit]')).click();
}

/** Elements of the page wider than the screen, leaving out tables that scroll on purpose. */
function wideElements() {
  return browser.execute(() => {
    const wide = [];
    for (const el of document.querySelectorAll('body *')) {
      if (el.closest('.scroll')) continue;
      const r = el.getBoundingClientRect();
      if (r.right > window.innerWidth + 1) wide.push(`${el.tagName}.${el.className}`);
    }
    return wide;
  });
}

async function signOut() {
  await (await browser.$('form[action="/logout"] button')).click();
  await (await browser.$('#username')).waitForExist({ timeout: 10000 });
}

test('staff register a venue, print its poster, the app checks in with it, the report counts it', async () => {
  // The admin signs in and makes an account for a registrar who also reads the reports.
  await go('/login');
  assert.equal(await text(browser, 'h1'), 'Đăng nhập');
  await screenshot(browser, 'portal-01-login');
  await signIn('admin', 'sai mật khẩu rồi');
  assert.equal(await text(browser, '#login-error'), 'Sai tên đăng nhập hoặc mật khẩu.');
  await signIn('admin', ADMIN_PASSWORD);
  await (await browser.$('main a[href="/admin/users"]')).waitForExist({ timeout: 10000 });
  // The admin's overview: the failed sign-in a moment ago is counted, and leads to the log.
  assert.equal(await text(browser, '#fig-failures'), '1');
  assert.match(await (await browser.$('#fig-failures a')).getAttribute('href'), /^\/admin\/audit\?action=login_failed&from=\d\d\/\d\d\/\d{4}$/);
  await screenshots(browser, 'portal-02-home-admin');
  await go('/admin/users/new');
  await (await browser.$('#username')).setValue('dang.ky');
  await (await browser.$('#display_name')).setValue('Hoàng Thị Đăng Ký');
  await (await browser.$('#role_registrar')).click();
  await (await browser.$('#role_reporter')).click();
  await (await browser.$('main button[type=submit]')).click();
  const temporary = await text(browser, '#temporary-password');
  assert.match(temporary, /^[a-z0-9]{4}(-[a-z0-9]{4}){3}$/);
  await screenshot(browser, 'portal-03-user-created');
  // An admin is not a registrar.
  await go('/venues');
  assert.equal(await text(browser, 'h1'), 'Không có quyền');
  await screenshot(browser, 'portal-04-forbidden');
  await go('/admin/audit?action=user_created');
  const entry = (await text(browser, 'tbody tr')).replace(/\s+/g, ' ');
  assert.match(entry, /admin Tạo tài khoản dang\.ky registrar,reporter 127\.0\.0\.1$/);
  await screenshot(browser, 'portal-05-audit');
  await go('/');
  await signOut();

  // The registrar's first sign-in asks for a password of their own.
  await signIn('dang.ky', temporary);
  await (await browser.$('#new')).waitForExist({ timeout: 10000 });
  assert.equal(await text(browser, 'h1'), 'Đổi mật khẩu');
  await (await browser.$('#current')).setValue(temporary);
  await (await browser.$('#new')).setValue(REGISTRAR_PASSWORD);
  await (await browser.$('#confirm')).setValue(REGISTRAR_PASSWORD);
  await (await browser.$('main button[type=submit]')).click();
  await (await browser.$('.notice.ok')).waitForExist({ timeout: 10000 });

  // A form sent with mistakes keeps what was typed and says what to fix, next to each field.
  await go('/venues/new');
  await (await browser.$('#name')).setValue(VENUE);
  await (await browser.$('#contact_phone')).setValue('12345');
  await (await browser.$('#save')).click();
  assert.equal(await text(browser, '#commune-error'), 'Hãy chọn xã, phường.');
  assert.equal(await text(browser, '#contact_phone-error'), 'Số điện thoại phải bắt đầu bằng 0 hoặc +84, rồi 9–10 chữ số.');
  assert.equal(await (await browser.$('#name')).getValue(), VENUE);
  await screenshot(browser, 'portal-06-venue-errors');

  await (await browser.$('#address')).setValue('Số 5 Phố Kim Đồng, Phường Thục Phán, Cao Bằng');
  await (await browser.$('#commune')).selectByVisibleText('Phường Thục Phán');
  await (await browser.$('#sector')).selectByAttribute('value', 'state-agency');
  await (await browser.$('#contact_name')).setValue('Nông Văn Tổ');
  await (await browser.$('#contact_phone')).setValue('0206 3852 123');
  await (await browser.$('#save')).click();
  assert.equal(
    await text(browser, '#notice'),
    'Đã đăng ký địa điểm. Hãy tải áp phích và dán ở cửa ra vào.',
  );
  await screenshot(browser, 'portal-07-venue-registered');

  // The poster, downloaded as a person would: a click on its link.
  await (await browser.$('#poster-png')).click();
  const poster = await waitForDownload(downloads, '.png');
  // A small one for a counter: A6, named after the venue.
  await (await browser.$('#poster-a6')).click();
  const small = await waitForDownload(downloads, '.pdf');
  assert.equal(basename(small), 'nha-van-hoa-to-5-phuong-thuc-phan.pdf');
  assert.match(execFileSync('pdfinfo', [small]).toString(), /Page size:\s+297\.6\d* x 419\.5\d* pts/);
  // Both print the short code the venue's page shows, for a phone that will not scan.
  const short = await text(browser, '#short-code');
  assert.match(short, /^[0-9A-Y]{2}0-001[0-9A-Y]-[0-9A-Y]{4}$/);
  assert.ok(execFileSync('pdftotext', [small, '-']).toString().includes(short), 'the A6 poster prints the short code');

  // The app, trusting this portal's authority, checks in by the poster's QR code.
  const data = tempDir('data');
  const app = await openApp(data, site.trust);
  try {
    const input = await app.$('[data-testid=import-image]');
    await input.waitForExist({ timeout: 15000 });
    await input.addValue(poster);
    assert.equal(await text(app, '[data-testid=notice]'), `Đã ghi nhận: ${VENUE}`);
    await (await app.$('[data-tab=diary]')).click();
    assert.equal(
      await text(app, '[data-testid=visit] [data-testid=verified]'),
      '✓ Mã do Sở Y tế Cao Bằng cấp, đã xác thực',
    );
  } finally {
    await closeApp(app, data);
  }

  // The venue list finds it without accents.
  await go('/venues?q=nha+van+hoa+to+5');
  assert.equal(await text(browser, '#venue-count'), '1 địa điểm');
  await screenshot(browser, 'portal-08-venues');
  // Its poster was downloaded: the venues still to chase are none; sorted by commune, it is there.
  await go('/venues?poster=no');
  assert.equal(await text(browser, '#venue-count'), '0 địa điểm');
  await go('/venues?poster=yes&sort=commune');
  assert.equal(await text(browser, '#venue-count'), '1 địa điểm');
  assert.equal(await (await browser.$('th[aria-sort=ascending] a')).getText(), 'Xã, phường ▲');
  await screenshots(browser, 'portal-08b-venues-sorted', 'table');

  // The coverage report counts it in its commune.
  await go('/reports/coverage');
  assert.equal(await text(browser, '#total-with-poster'), '1');
  const row = await browser.$('tr[data-commune="1273"]');
  assert.equal((await row.getText()).replace(/\s+/g, ' ').trim(), 'Phường Thục Phán 1 1');
  await screenshots(browser, 'portal-09-coverage');
  // On paper: no navigation, the time of the figures at the top.
  await printed(browser, 'portal-09p-coverage-print');
  // As of yesterday, before the venue was registered: nothing counted yet, and the report file
  // for that day is one click away.
  const yesterday = new Date(Date.now() + 7 * 3600e3 - 86400e3);
  const day = [yesterday.getUTCDate(), yesterday.getUTCMonth() + 1]
    .map((n) => String(n).padStart(2, '0'))
    .concat(String(yesterday.getUTCFullYear()))
    .join('/');
  await (await browser.$('#as_of')).setValue(day);
  await (await browser.$('#as-of-form button')).click();
  assert.equal(await text(browser, '#total-with-poster'), '0');
  assert.equal(await text(browser, '#as-of'), `Số liệu đến hết ngày ${day}`);
  await screenshots(browser, 'portal-09a-coverage-as-of');
  await (await browser.$('#report-docx')).click();
  const docx = await waitForDownload(downloads, '.docx');
  assert.match(basename(docx), /^bao-cao-trien-khai-\d{4}-\d{2}-\d{2}\.docx$/);
  // A day that has not come is said beside the field, which keeps what was typed.
  await (await browser.$('#as_of')).setValue('01/01/2099');
  await (await browser.$('#as-of-form button')).click();
  assert.match(await text(browser, '#as_of-error'), /chưa đến/);
  assert.equal(await (await browser.$('#as_of')).getValue(), '01/01/2099');
  await screenshots(browser, 'portal-09b-coverage-as-of-error', '#as-of-form');
  await go('/reports/coverage');
  await browser.execute(() => document.querySelector('#by-commune').scrollIntoView());
  await screenshot(browser, 'portal-10-coverage-communes');

  // The same page in English.
  await (await browser.$('a[href^="/lang/en"]')).click();
  assert.equal(await text(browser, 'h1'), 'Roll-out coverage');
  await screenshot(browser, 'portal-11-coverage-en');
  await go('/venues/import');
  await screenshot(browser, 'portal-12-import-en');
  await (await browser.$('a[href^="/lang/vi"]')).click();
});

test('every page is readable at phone width: nothing wider than the screen but tables that scroll', async () => {
  await go('/');
  if (!(await (await browser.$('form[action="/logout"]')).isExisting())) {
    await signIn('dang.ky', REGISTRAR_PASSWORD);
  }
  await (await browser.$('form[action="/logout"]')).waitForExist({ timeout: 10000 });
  for (const path of ['/venues', '/venues/new', '/venues/import', '/reports/coverage', '/account/password']) {
    await go(path);
    const overflow = await wideElements();
    assert.deepEqual(overflow, [], `${path} has elements wider than the screen`);
    assert.notEqual(await text(browser, 'h1'), 'Đăng nhập', `${path} is shown signed in`);
  }
});

test('a large CSV import shows its progress, a file with mistakes names each row, and the other pages staff meet', async () => {
  await go('/');
  if (!(await (await browser.$('form[action="/logout"]')).isExisting())) {
    await signIn('dang.ky', REGISTRAR_PASSWORD);
  }
  await (await browser.$('form[action="/logout"]')).waitForExist({ timeout: 10000 });
  await screenshot(browser, 'portal-13-home-registrar');
  await go('/account/password');
  await screenshot(browser, 'portal-14-password');

  // A spreadsheet with two mistakes among good rows: nothing is saved, each mistake has its row.
  const dir = tempDir('import');
  const header = 'ten,dia_chi,xa_phuong,linh_vuc,nguoi_lien_he,dien_thoai';
  const row = (i) => `Quầy hàng số ${i},Chợ Xanh ${i},Phường Thục Phán,shop,Nông Thị Hoa,0206 38${String(i).padStart(5, '0')}`;
  const broken = [
    header,
    row(1),
    'Quầy không xã,Chợ Xanh,,shop,Nông Thị Hoa,0206 3852 998',
    row(2),
    'Quầy lạ,Chợ Xanh,Xã Không Có,shop,Nông Thị Hoa,0206 3852 999',
  ];
  writeFileSync(join(dir, 'broken.csv'), `${broken.join('\r\n')}\r\n`);
  await go('/venues/import');
  await (await browser.$('#file')).addValue(join(dir, 'broken.csv'));
  await (await browser.$('main button[type=submit]')).click();
  await (await browser.$('#import-errors')).waitForExist({ timeout: 20000 });
  const rows = [];
  for (const tr of await browser.$$('#import-errors tbody tr')) {
    rows.push(await browser.execute((r) => [...r.cells].map((c) => c.textContent.trim()).slice(0, 2), tr));
  }
  // Spreadsheet rows (the header is row 1), and the column to fix.
  assert.deepEqual(rows, [['3', 'Xã, phường'], ['5', 'Xã, phường']]);
  // Each with the value the file has there.
  const values = [];
  for (const cell of await browser.$$('#import-errors tbody td.import-value')) values.push(await cell.getText());
  assert.equal(values.length, 2);
  assert.ok(values.every((v) => v.length > 0), `${values}`);
  await screenshots(browser, 'portal-15-import-errors', '#import-errors');
  await go('/venues?q=quay+hang+so');
  assert.equal(await text(browser, '#venue-count'), '0 địa điểm');

  // A large file: the progress bar moves on its own (the page refreshes itself, no script), then
  // says how many were saved.
  const many = 3000;
  const lines = [header];
  for (let i = 1; i <= many; i += 1) lines.push(row(i));
  writeFileSync(join(dir, 'large.csv'), `${lines.join('\n')}\n`);
  await go('/venues/import');
  await (await browser.$('#file')).addValue(join(dir, 'large.csv'));
  await (await browser.$('main button[type=submit]')).click();
  await (await browser.$('#progress')).waitForExist({ timeout: 20000 });
  await screenshot(browser, 'portal-16-import-progress');
  // Every row right: the rows are shown first, and nothing is saved until the registrar says so.
  await (await browser.$('#import-save')).waitForExist({ timeout: 180000 });
  assert.equal(await text(browser, '#import-checked'), `Mọi dòng đều đúng: ${many} địa điểm, ở 1 xã, phường.`);
  assert.equal(await text(browser, '#import-save'), `Lưu ${many} địa điểm`);
  await screenshots(browser, 'portal-16b-import-preview');
  await (await browser.$('#import-save')).click();
  await browser.waitUntil(
    async () => (await browser.$('#import-done').isExisting()) || browser.$('#import-errors').isExisting(),
    { timeout: 180000, interval: 500, timeoutMsg: 'the import did not finish' },
  );
  assert.equal(await text(browser, '#import-done'), `Đã lưu ${many} địa điểm.`);
  assert.equal(await (await browser.$('#progress')).getAttribute('value'), await (await browser.$('#progress')).getAttribute('max'));
  await screenshot(browser, 'portal-17-import-done');
  // The venues of this import, their posters in parts of 200.
  await (await browser.$('#import-venues')).click();
  assert.equal(await text(browser, '#venue-count'), `${many} địa điểm`);
  assert.match(await text(browser, '#venues-poster-parts'), /1–200 · 201–400/);
  await screenshots(browser, 'portal-17b-import-venues', '#venues-poster-parts');

  await go('/khong-co-trang-nay');
  assert.equal(await text(browser, 'h1'), 'Không tìm thấy');
  await screenshot(browser, 'portal-18-not-found');
  await signOut();

  // The admin's pages, at phone width too.
  await signIn('admin', ADMIN_PASSWORD);
  await (await browser.$('form[action="/logout"]')).waitForExist({ timeout: 10000 });
  for (const path of ['/admin/users', '/admin/users/new', '/admin/audit']) {
    await go(path);
    const overflow = await wideElements();
    assert.deepEqual(overflow, [], `${path} has elements wider than the screen`);
  }
  await go('/admin/users');
  await screenshot(browser, 'portal-19-users');
  // Locking an account asks first, naming whose and what happens; "No" leaves it as it was.
  await (await browser.$('a=dang.ky')).click();
  await (await browser.$('#lock')).click();
  await (await browser.$('#confirm')).waitForExist({ timeout: 10000 });
  assert.match(await text(browser, '.confirm'), /Hoàng Thị Đăng Ký \(dang\.ky\)/);
  assert.match(await text(browser, '#consequences'), /bị đăng xuất ngay/);
  await screenshot(browser, 'portal-19b-confirm-lock');
  await (await browser.$('#cancel')).click();
  await (await browser.$('#lock')).waitForExist({ timeout: 10000 });
  await (await browser.$('#lock')).click();
  await (await browser.$('#confirm')).click();
  await (await browser.$('.notice.ok')).waitForExist({ timeout: 10000 });
  assert.equal(
    await text(browser, '.notice.ok'),
    'Đã khoá tài khoản Hoàng Thị Đăng Ký (dang.ky); các phiên đăng nhập của tài khoản này đã kết thúc.',
  );
  await screenshot(browser, 'portal-19c-locked');
  await (await browser.$('form[action$="/enable"] button')).click();
  await (await browser.$('#lock')).waitForExist({ timeout: 10000 });
  await signOut();
  await go('/login?ended=1');
  await screenshot(browser, 'portal-01b-session-ended');
});

test('a poster scanned without the app opens a page that names the venue, read in the browser', async () => {
  // A venue code of this portal's authority, as a phone's camera opens it: its host is the
  // portal's in this test, so the link opens the portal's own page.
  const out = portal(
    'venue-code', 'make', '--data-dir', site.dir, '--name', 'Bưu điện <Phường> Thục Phán',
    '--address', 'Số 1 Phố Vườn Cam, Phường Thục Phán', '--unit', '1273', '--sector', 'state-agency',
  );
  const code = out.trim().split('\n').at(-1);
  assert.match(code, /\/v\/2#[0-9]+$/);
  await go(`/v/2#${code.split('#')[1]}`);
  const name = await browser.$('[data-venue=name]');
  await browser.waitUntil(async () => (await name.getText()) !== '', {
    timeout: 10000,
    timeoutMsg: 'the page never showed the venue',
  });
  // As text, never as markup.
  assert.equal(await name.getText(), 'Bưu điện <Phường> Thục Phán');
  // A v2 code carries the street: the page adds the commune and province from the portal's list.
  assert.equal(await text(browser, '[data-venue=address]'), 'Số 1 Phố Vườn Cam, Phường Thục Phán, Cao Bằng');
  assert.equal(await (await browser.$('[data-venue=unknown]')).isDisplayed(), false);
  await screenshot(browser, 'portal-50-venue-link');
  assert.deepEqual(await wideElements(), []);

  // A poster printed before version 2 still opens it with its venue (a v1 code, as the fixtures
  // keep one).
  await go(`/v/1#${V1_FRAGMENT}`);
  await browser.waitUntil(async () => (await name.getText()) === 'Ủy ban nhân dân Phường Hợp Giang', {
    timeout: 10000,
    timeoutMsg: 'the page never showed the v1 venue',
  });

  // Without a code: the page still says what to do.
  await go('/v/1');
  assert.match(await text(browser, '[data-venue=unknown]'), /Nhật ký ra vào/);
});
