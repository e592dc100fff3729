// The live page's viewer links (web-console/js/logic/stream-links.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { LIFETIMES, linkState, parseMaxViewers, sortLinks } from '../../web-console/js/logic/stream-links.js';

const NOW = 1_800_000_000_000;

test('a link is revoked, else expired once its time is up, else active', () => {
  assert.equal(linkState({ revokedMs: NOW - 5, expiresMs: NOW + 60_000 }, NOW), 'revoked');
  assert.equal(linkState({ revokedMs: 0, expiresMs: NOW }, NOW), 'expired');
  assert.equal(linkState({ revokedMs: 0, expiresMs: NOW - 1 }, NOW), 'expired');
  assert.equal(linkState({ revokedMs: 0, expiresMs: NOW + 1 }, NOW), 'active');
  assert.equal(linkState({ revokedMs: 0 }, NOW), 'expired', 'a row without its expiry opens nothing');
});

test('links in use come first, soonest to end at the top; the others newest first', () => {
  const links = [
    { id: 1, createdMs: NOW - 9000, expiresMs: NOW - 1, revokedMs: 0 },
    { id: 2, createdMs: NOW - 8000, expiresMs: NOW + 90_000, revokedMs: 0 },
    { id: 3, createdMs: NOW - 7000, expiresMs: NOW + 30_000, revokedMs: NOW - 100 },
    { id: 4, createdMs: NOW - 6000, expiresMs: NOW + 10_000, revokedMs: 0 },
  ];
  assert.deepEqual(sortLinks(links, NOW).map((l) => l.id), [4, 2, 3, 1]);
  assert.deepEqual(links.map((l) => l.id), [1, 2, 3, 4], 'the input is left as it was');
});

test('the number of viewers is a whole number from 1 to 1000', () => {
  assert.equal(parseMaxViewers('20'), 20);
  assert.equal(parseMaxViewers(' 1000 '), 1000);
  for (const bad of ['0', '1001', '2.5', '-3', '', 'mười', '1e3']) assert.equal(parseMaxViewers(bad), null, bad);
});

test('the lifetimes offered are within what the API takes, shortest first', () => {
  assert.deepEqual([...LIFETIMES].sort((a, b) => a - b), LIFETIMES);
  assert.ok(LIFETIMES.every((m) => m >= 1 && m <= 10080));
});
