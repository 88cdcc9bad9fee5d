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

/** The bytes a v2 code's digits stand for (7 bytes in 17 digits, the last 1 to 6 in fewer). */
function digitsToBytes(digits) {
  const tail = [0, 3, 5, 8, 10, 13, 15];
  const last = tail.indexOf(digits.length % 17);
  if (!/^[0-9]*$/.test(digits) || last < 0) throw new Error('not a v2 payload');
  const bytes = [];
  for (let at = 0; at < digits.length; ) {
    const take = digits.length - at >= 17 ? 17 : digits.length - at;
    const count = take === 17 ? 7 : last;
    let value = BigInt(digits.slice(at, at + take));
    const chunk = [];
    for (let i = 0; i < count; i += 1) {
      chunk.unshift(Number(value & 255n));
      value >>= 8n;
    }
    if (value !== 0n) throw new Error('not a v2 payload');
    bytes.push(...chunk);
    at += take;
  }
  return Uint8Array.from(bytes);
}

/** Canonical Huffman codes from code lengths: a map from "length:code" to the symbol. */
function huffman(lengths) {
  const order = lengths.map((length, symbol) => [length, symbol]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const codes = new Map();
  let code = 0;
  let length = 0;
  for (const [l, symbol] of order) {
    code <<= l - length;
    length = l;
    codes.set(`${l}:${code}`, symbol);
    code += 1;
  }
  return codes;
}

/** A text in venue code v2's coding (docs/venue-code.md), with the tables the page carries. */
function decodeText(bytes, tables) {
  const chars = Array.from(tables.chars);
  const letters = /^[a-zA-Z]$/;
  const isLetter = (c) => letters.test(c) || (chars.indexOf(c) >= 95 && chars.indexOf(c) < 229);
  const codes = (tables.codes ??= tables.lengths.map(huffman));
  let out = '';
  let prev = '';
  let bit = 0;
  const total = bytes.length * 8;
  const next = () => (bytes[bit >> 3] >> (7 - (bit++ & 7))) & 1;
  while (bit < total) {
    const table = codes[prev && isLetter(prev) ? 1 : 0];
    let code = 0;
    let symbol;
    for (let length = 1; length <= 24 && bit < total; length += 1) {
      code = (code << 1) | next();
      symbol = table.get(`${length}:${code}`);
      if (symbol !== undefined) break;
    }
    if (symbol === undefined) break; // the filling of the last byte
    let c;
    if (symbol === chars.length) {
      let value = 0;
      for (let i = 0; i < 21; i += 1) value = value * 2 + next();
      c = String.fromCodePoint(value);
    } else c = chars[symbol];
    out += c;
    prev = c;
  }
  return out;
}

/** A v2 code's venue: the name, and the street with this portal's names of its commune. */
function readVenueV2(digits, tables) {
  const bytes = digitsToBytes(digits);
  const [content] = cborItem(bytes.subarray(0, bytes.length - 64), 0);
  if (!Array.isArray(content) || content.length !== 10) return null;
  const name = decodeText(content[2], tables);
  const street = decodeText(content[3], tables);
  const edition = ['2021', '2025'][content[5]];
  const unit = edition === tables.edition ? tables.units[String(content[4])] : undefined;
  const address = [street, unit].filter(Boolean).join(', ');
  return name ? { name, address } : null;
}

/** The venue a code's fragment names: `{ name, address }`, or null for anything else. `version`
 *  is the path's (`/v/1`, `/v/2`); `tables` what the page carries for v2. */
function readVenue(fragment, version = 1, tables = null) {
  try {
    if (version === 2) return tables ? readVenueV2(fragment.replace(/^#/, ''), tables) : null;
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
  const version = window.location.pathname.endsWith('/2') ? 2 : 1;
  const data = document.getElementById('venue-code-v2');
  const venue = readVenue(window.location.hash, version, data ? JSON.parse(data.textContent) : null);
  if (venue) {
    for (const el of document.querySelectorAll('[data-venue=name]')) el.textContent = venue.name;
    for (const el of document.querySelectorAll('[data-venue=address]')) el.textContent = venue.address;
    for (const el of document.querySelectorAll('[data-venue=shown]')) el.hidden = false;
    for (const el of document.querySelectorAll('[data-venue=unknown]')) el.hidden = true;
  }
}

if (typeof module !== 'undefined') module.exports = { readVenue };
