// The watch page's reading of the MCU's live playlist (web-console/js/logic/playlist.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parsePlaylist } from '../../web-console/js/logic/playlist.js';

test('WebM: the init segment and each segment with its sequence and duration', () => {
  const list = parsePlaylist(
    '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:3\n#EXT-X-MEDIA-SEQUENCE:41\n' +
      '#EXT-X-MAP:URI="init.webm"\n#EXTINF:2.100,\n41.webm\n#EXTINF:2.000,\n42.webm\n',
  );
  assert.deepEqual(list, {
    init: 'init.webm',
    format: 'webm',
    segments: [
      { sequence: 41, uri: '41.webm', duration: 2.1 },
      { sequence: 42, uri: '42.webm', duration: 2 },
    ],
  });
});

test('MPEG-TS: segments without an init segment, a viewer link\'s token carried on', () => {
  const list = parsePlaylist(
    '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:7\n' +
      '#EXTINF:2.000,\n7.ts?token=abc\n',
  );
  assert.deepEqual(list, { init: null, format: 'ts', segments: [{ sequence: 7, uri: '7.ts?token=abc', duration: 2 }] });
});

test('a playlist with no whole segment yet has no format', () => {
  const list = parsePlaylist('#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n');
  assert.deepEqual(list, { init: null, format: null, segments: [] });
});

test('not a playlist, or WebM segments without their init segment, is refused', () => {
  assert.equal(parsePlaylist('{"error":"no stream"}'), null);
  assert.equal(parsePlaylist('#EXTM3U\n#EXTINF:2,\n1.webm\n'), null);
});
