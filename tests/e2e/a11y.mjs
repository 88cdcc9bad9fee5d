// Accessibility checks run on every screen of the end-to-end walk: axe-core (WCAG 2.1 A and
// AA), touch targets of at least 44 × 44 CSS pixels, and text at 200 % with nothing wider than
// the screen and no two controls overlapping.
import { readFileSync } from 'node:fs';

const AXE = readFileSync(new URL('../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');

/** axe-core's serious and critical findings on the current screen, as readable lines. */
export async function axeFindings(browser) {
  if (!(await browser.execute(() => typeof window.axe === 'object'))) {
    await browser.execute(AXE);
  }
  const violations = await browser.execute(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5),
    }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.join(', ')}`);
}

/** Controls smaller than 44 × 44 CSS pixels. */
export async function smallTargets(browser) {
  return browser.execute(() => {
    const small = [];
    for (const el of document.querySelectorAll('button, a[href], input, select, textarea, label.button')) {
      const style = getComputedStyle(el);
      if (el.closest('.visually-hidden') || el.classList.contains('visually-hidden')) continue;
      if (style.display === 'none' || style.visibility === 'hidden') continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.width < 44 || r.height < 44) {
        small.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} "${(el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 30)}" ${Math.round(r.width)}×${Math.round(r.height)}`);
      }
    }
    return small;
  });
}

/**
 * With the text at 200 %: whatever is wider than the screen, and pairs of controls that overlap.
 * The size is put back afterwards.
 */
export async function largeTextProblems(browser) {
  await browser.execute(() => {
    document.documentElement.style.fontSize = '200%';
  });
  await browser.pause(300);
  const problems = await browser.execute(() => {
    const found = [];
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > width + 1) {
      found.push(`the page is ${document.documentElement.scrollWidth}px wide on a ${width}px screen`);
    }
    const controls = [...document.querySelectorAll('button, a[href], input:not([type=file]), select, textarea, label.button')]
      // Behind a modal (inert, or hidden under the scanner's overlay) nothing can be reached.
      .filter((el) => !el.closest('.visually-hidden, [inert]') && getComputedStyle(el).visibility !== 'hidden')
      .map((el) => ({ el, r: el.getBoundingClientRect() }))
      .filter(({ r }) => r.width > 0 && r.height > 0);
    for (let i = 0; i < controls.length; i++) {
      for (let j = i + 1; j < controls.length; j++) {
        const a = controls[i];
        const b = controls[j];
        if (a.el.contains(b.el) || b.el.contains(a.el)) continue;
        // The tab bar is fixed over the page, which scrolls out from under it.
        if (!!a.el.closest('nav') !== !!b.el.closest('nav')) continue;
        const x = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
        const y = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
        if (x > 2 && y > 2) {
          const name = (el) => `${el.tagName.toLowerCase()} "${(el.textContent || '').trim().slice(0, 20)}"`;
          found.push(`${name(a.el)} overlaps ${name(b.el)}`);
        }
      }
    }
    return found;
  });
  await browser.execute(() => {
    document.documentElement.style.fontSize = '';
  });
  return problems;
}

/**
 * Every check above on the current screen, each finding added to `problems` as a line naming the
 * screen and language. Returns the findings' count.
 */
export async function accessibilityProblems(app, name, lang, problems) {
  const before = problems.length;
  for (const finding of await axeFindings(app)) problems.push(`${name} (${lang}) axe: ${finding}`);
  for (const small of await smallTargets(app)) problems.push(`${name} (${lang}) small target: ${small}`);
  for (const p of await largeTextProblems(app)) problems.push(`${name} (${lang}) at 200 % text: ${p}`);
  return problems.length - before;
}
