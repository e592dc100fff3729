// Quality grades of stream health, the same thresholds everywhere: a site on the roll-call (its
// live stats and alarms), an attendance in the history (its summary when it left), the
// warning/critical marks of the monitor's stream cells and of a room's devices. No DOM here.

// The four streams of a site, as the MCU's stats name them.
export const DIRECTIONS = ['audioIn', 'audioOut', 'videoIn', 'videoOut'];

// good: < 1 % loss and RTT < 150 ms; fair: < 5 % and < 300 ms; poor otherwise. An unknown RTT
// (null) does not lower the grade.
function gradeOf(loss, rtt) {
  if (loss < 1 && (rtt === null || rtt < 150)) return 'good';
  if (loss < 5 && (rtt === null || rtt < 300)) return 'fair';
  return 'poor';
}

const measured = (v) => (typeof v === 'number' && v >= 0 ? v : null);

// Whether an alarm of `kind` speaks of a site's streams, and so grades them (the roll-call's
// quality, the marks of the monitor's stream rows, the periods its charts shade): every kind but
// `device`. A device warning is about the room's equipment (a camera, microphone or loudspeaker
// missing): the site takes part without it, its streams may be flawless, and the console shows
// the missing device on its own (the live page's badges, the technician's site page).
export const gradesStreams = (kind) => kind !== 'device';

// A site's quality from its stats (null: none) and its active alarms' worst severity
// ('warning'|'critical'|null): {level: good|fair|poor|none, loss (worst stream, %), rtt (ms|null)}.
export function gradeQuality(siteStats, severity) {
  if (!siteStats) return { level: 'none', loss: null, rtt: null };
  const losses = DIRECTIONS.map((d) => siteStats[d] && siteStats[d].lossPct).filter((v) => measured(v) !== null);
  const loss = losses.length ? Math.max(...losses) : 0;
  const rtt = measured(siteStats.rttMs);
  let level = gradeOf(loss, rtt);
  if (severity === 'critical') level = 'poor';
  else if (severity === 'warning' && level === 'good') level = 'fair';
  return { level, loss, rtt };
}

// The grade of an attendance's quality summary ({lossPctMean, rttMsMean, ...}; null: none).
export function gradeRecord(q) {
  if (!q) return 'none';
  return gradeOf(q.lossPctMean ?? 0, measured(q.rttMsMean));
}

// The mark of one figure of a stream in the monitor's table: 'critical', 'warning' or null.
//   lossPct >= 5 critical, >= 1 warning; jitterMs > 30 warning; rttMs > 300 warning;
//   ice failed/disconnected critical; dtls failed critical; a room's device (camera,
//   microphone, speaker) missing warning, as the MCU's `device` alarm is.
export function cellLevel(field, value) {
  switch (field) {
    case 'lossPct':
      return typeof value !== 'number' ? null : value >= 5 ? 'critical' : value >= 1 ? 'warning' : null;
    case 'jitterMs':
      return typeof value === 'number' && value > 30 ? 'warning' : null;
    case 'rttMs':
      return typeof value === 'number' && value > 300 ? 'warning' : null;
    case 'ice':
      return value === 'failed' || value === 'disconnected' ? 'critical' : null;
    case 'dtls':
      return value === 'failed' ? 'critical' : null;
    case 'device':
      return value === 'missing' ? 'warning' : null;
    default:
      return null;
  }
}
