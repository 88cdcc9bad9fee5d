// The page a venue's poster opens in a phone's browser when Visit Diary is not installed (or the
// link did not open it). The venue's code is in the address's fragment (after #), which browsers
// never send to a server: this script reads it here, in the browser, to show the venue's name and
// address, and sends nothing anywhere. The signature is not checked here; the app checks it.
'use strict';

/** The CBOR item at `at` in `bytes`: [value, next offset]. Enough of RFC 8949 for a venue code. */
function cborItem(bytes, at) {
  const head = bytes[at];
  if (head === undefined) throw new Error('the code is cut short');
  const major = head >> 5;
  const info = head & 31;
  let length;
  let next = at + 1;
  if (info < 24) length = info;
  else if (info <= 27) {
    const size = 1 << (info - 24);
    if (next + size > bytes.length) throw new Error('the code is cut short');
    length = 0;
    for (let i = 0; i < size; i += 1) length = length * 256 + bytes[next + i];
    next += size;
  } else throw new Error('an indefinite length is not a venue code');
  switch (major) {
    case 0:
      return [length, next];
    case 1:
      return [-1 - length, next];
    case 2:
    case 3: {
      if (next + length > bytes.length) throw new Error('the code is cut short');
      const slice = bytes.subarray(next, next + length);
      return [major === 2 ? slice : new TextDecoder('utf-8', { fatal: true }).decode(slice), next + length];
    }
    case 4: {
      const items = [];
      for (let i = 0; i < length; i += 1) {
        const [value, after] = cborItem(bytes, next);
        items.push(value);
        next = after;
      }
      return [items, next];
    }
    case 5: {
      const map = new Map();
      for (let i = 0; i < length; i += 1) {
        const [key, afterKey] = cborItem(bytes, next);
        const [value, afterValue] = cborItem(bytes, afterKey);
        map.set(key, value);
        next = afterValue;
      }
      return [map, next];
    }
    case 6:
      return cborItem(bytes, next);
    default:
      return [null, next];
  }
}

/** The venue a code's fragment names: `{ name, address }`, or null for anything else. */
function readVenue(fragment) {
  try {
    const text = fragment.replace(/^#/, '').replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(text + '='.repeat((4 - (text.length % 4)) % 4));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const [sign1] = cborItem(bytes, 0);
    if (!Array.isArray(sign1) || sign1.length !== 4 || !(sign1[2] instanceof Uint8Array)) return null;
    const [content] = cborItem(sign1[2], 0);
    if (!(content instanceof Map) || content.get(0) !== 1) return null;
    const name = content.get(2);
    const address = content.get(3);
    if (typeof name !== 'string' || typeof address !== 'string') return null;
    return { name, address };
  } catch {
    return null;
  }
}

if (typeof document !== 'undefined') {
  const venue = readVenue(window.location.hash);
  if (venue) {
    for (const el of document.querySelectorAll('[data-venue=name]')) el.textContent = venue.name;
    for (const el of document.querySelectorAll('[data-venue=address]')) el.textContent = venue.address;
    for (const el of document.querySelectorAll('[data-venue=shown]')) el.hidden = false;
    for (const el of document.querySelectorAll('[data-venue=unknown]')) el.hidden = true;
  }
}

if (typeof module !== 'undefined') module.exports = { readVenue };
