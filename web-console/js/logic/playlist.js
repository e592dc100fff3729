// A live HLS playlist as the MCU writes it (media/segmenter.h): the media segments with their
// sequence numbers and durations, the init segment's URI (EXT-X-MAP; WebM only), and the
// segments' format: 'webm' (an init segment, .webm segments) or 'ts' (MPEG-TS, no init
// segment). Pure.

export function parsePlaylist(text) {
  const lines = String(text).split(/\r?\n/);
  if (lines[0] !== '#EXTM3U') return null;
  let sequence = 0;
  let init = null;
  let duration = null;
  const segments = [];
  for (const line of lines.slice(1)) {
    if (line.startsWith('#EXT-X-MEDIA-SEQUENCE:')) {
      sequence = Number(line.slice('#EXT-X-MEDIA-SEQUENCE:'.length));
    } else if (line.startsWith('#EXT-X-MAP:')) {
      const m = /URI="([^"]*)"/.exec(line);
      if (m) init = m[1];
    } else if (line.startsWith('#EXTINF:')) {
      duration = parseFloat(line.slice('#EXTINF:'.length));
    } else if (line && !line.startsWith('#') && duration !== null) {
      segments.push({ sequence: sequence++, uri: line, duration });
      duration = null;
    }
  }
  const ts = segments.length > 0 && segments.every((s) => s.uri.split('?')[0].endsWith('.ts'));
  // WebM segments cannot be played without their init segment.
  if (segments.length && !ts && !init) return null;
  return { init, segments, format: segments.length ? (ts ? 'ts' : 'webm') : null };
}
