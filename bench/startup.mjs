// The app's cold start under Xvfb: from asking tauri-driver for a session (which starts the app
// on a fresh data folder) to the first screen drawn. Prints the times in milliseconds as JSON.
// `VISIT_DIARY_APP` picks the binary (the release build in `make bench`).
import { startServices, stopServices, makeAuthority, openApp, closeApp, tempDir } from '../tests/e2e/harness.mjs';

const runs = Number(process.argv[2] ?? 5);
await startServices();
const authority = makeAuthority('startup', 'Chợ Xanh Cao Bằng');
const times = [];
try {
  for (let i = 0; i < runs; i++) {
    const data = tempDir('startup');
    const start = performance.now();
    const app = await openApp(data, authority.trust);
    await (await app.$('main h1')).waitForExist({ timeout: 30000 });
    times.push(performance.now() - start);
    await closeApp(app, data);
  }
} finally {
  stopServices();
}
console.log(JSON.stringify(times));
