// Runs the end-to-end tests, one file after another. With FILTER set (`make e2e FILTER=share`),
// only one feature's: the files whose name matches FILTER, or else the files holding a test whose
// title matches it. A file runs whole, since its tests build on one another (the second share
// test uses the portal and case the first made); the other files are not started, so neither are
// their apps and portals. FILTER is a case-insensitive regular expression.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const files = readdirSync(here).filter((f) => f.endsWith('.test.mjs')).sort();
let filter = null;
if (process.env.FILTER) {
  try {
    filter = new RegExp(process.env.FILTER, 'i');
  } catch (e) {
    console.error(`FILTER=${process.env.FILTER} is not a regular expression: ${e.message}`);
    process.exit(1);
  }
}

let chosen = files;
const args = ['--test', '--test-concurrency=1'];
if (filter) {
  const byName = files.filter((f) => filter.test(f));
  if (byName.length > 0) {
    chosen = byName;
  } else {
    const titles = (f) =>
      [...readFileSync(join(here, f), 'utf8').matchAll(/^test\((['"`])(.*?)\1,/gm)].map((m) => m[2]);
    chosen = files.filter((f) => titles(f).some((t) => filter.test(t)));
  }
  if (chosen.length === 0) {
    console.error(`No end-to-end test file or test name matches FILTER=${process.env.FILTER}.`);
    process.exit(1);
  }
  console.log(`FILTER=${process.env.FILTER}: ${chosen.join(', ')}`);
}

const run = spawnSync(process.execPath, [...args, ...chosen.map((f) => join(here, f))], {
  stdio: 'inherit',
});
process.exit(run.status ?? 1);
