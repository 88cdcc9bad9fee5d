// The notice form's preview, redrawn while the tracer types: the notice in Vietnamese and in
// English as phones will show it. And the proposed advice follows the level: when the level
// changes and an advice box still holds the old level's proposed words, they become the new
// level's. Without this script the form works the same; the preview then shows the notice as it
// was last sent, and the portal refuses advice left at the other level's words.
'use strict';

(function () {
  const form = document.getElementById('notice-form');
  if (!form) return;
  const field = (name) => form.querySelector(`[name=${name}]`);
  const level = field('level');
  const advice = { vi: field('advice_vi'), en: field('advice_en') };
  const from = field('from');
  const to = field('to');
  // As the app's English (Intl, en-GB) shortens them: September is "Sept".
  const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sept', 'Oct', 'Nov', 'Dec'];
  const pad = (n) => String(n).padStart(2, '0');
  const capital = (s) => s.charAt(0).toUpperCase() + s.slice(1);

  /** A time as the portal reads it (29/11/2026 08:00, 29/11/2026 8h30, 2026-11-29T08:00), or null. */
  function parse(text) {
    let m = /^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}),?\s+(\d{1,2})(?:[:.](\d{2})|[hHgG](\d{2})?)\s*$/.exec(text);
    let t;
    if (m) t = { d: +m[1], mo: +m[2], y: +m[3], h: +m[4], mi: +(m[5] || m[6] || 0) };
    else {
      m = /^\s*(\d{4})-(\d{2})-(\d{2})[T ](\d{1,2}):(\d{2})\s*$/.exec(text);
      if (!m) return null;
      t = { y: +m[1], mo: +m[2], d: +m[3], h: +m[4], mi: +m[5] };
    }
    const day = new Date(Date.UTC(t.y, t.mo - 1, t.d));
    if (day.getUTCDate() !== t.d || day.getUTCMonth() !== t.mo - 1 || t.h > 23 || t.mi > 59) return null;
    return t;
  }

  /** As the phone writes a time: `09:30 03/12/2026`, `09:30 03 Dec 2026`. */
  function phoneTime(t, lang) {
    const day = lang === 'vi' ? `${pad(t.d)}/${pad(t.mo)}/${t.y}` : `${pad(t.d)} ${MONTHS[t.mo - 1]} ${t.y}`;
    return `${pad(t.h)}:${pad(t.mi)} ${day}`;
  }

  function redraw() {
    const start = parse(from.value);
    const end = parse(to.value);
    for (const card of document.querySelectorAll('.phone-card')) {
      const lang = card.dataset.lang;
      card.querySelector('.level').textContent = card.dataset[`title${capital(level.value)}`] || '';
      card.querySelector('.advice').textContent = advice[lang].value.trim().replace(/\s+/g, ' ');
      if (start) card.querySelector('.visit').textContent = card.dataset.visit.replace('{time}', phoneTime(start, lang));
      if (start && end) {
        card.querySelector('.window').textContent = card.dataset.window
          .replace('{from}', phoneTime(start, lang))
          .replace('{to}', phoneTime(end, lang));
      }
    }
  }

  let previous = level.value;
  level.addEventListener('change', () => {
    for (const lang of ['vi', 'en']) {
      const old = form.dataset[`advice${capital(previous)}${capital(lang)}`];
      const proposed = form.dataset[`advice${capital(level.value)}${capital(lang)}`];
      if (proposed && advice[lang].value.trim() === old) advice[lang].value = proposed;
    }
    previous = level.value;
    redraw();
  });
  form.addEventListener('input', redraw);
})();
