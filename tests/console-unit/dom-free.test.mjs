// The console's logic modules (web-console/js/logic/) stay free of the DOM, so that they run
// here under node: no document, window, navigator, location or storage, and no import of the
// DOM helpers; each says at its top what it holds.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../web-console/js/logic');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.js'));

test('the logic modules have no DOM access', async () => {
  assert.ok(files.length >= 7, `logic modules: ${files}`);
  for (const f of files) {
    const code = fs.readFileSync(path.join(dir, f), 'utf8').replace(/^\s*\/\/.*$/gm, '');
    for (const word of ['document', 'window', 'navigator', 'location', 'localStorage', 'HTMLElement'])
      assert.doesNotMatch(code, new RegExp(`\\b${word}\\b`), `${f} uses ${word}`);
    for (const m of code.matchAll(/from\s+'([^']+)'/g))
      assert.match(m[1], /^\.\/[\w-]+\.js$/, `${f} imports ${m[1]}: only other logic modules`);
    assert.match(fs.readFileSync(path.join(dir, f), 'utf8'), /^\/\/ \S/, `${f} starts with a comment saying what it holds`);
    await import(path.join(dir, f));  // Loads under node, without a DOM.
  }
});
