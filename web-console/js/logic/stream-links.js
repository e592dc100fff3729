// A live stream's viewer links as the live page shows them (GET .../stream/links): each link's
// state at a time, their order, and the lifetimes a host picks from. Pure.

// Minutes: an hour, four hours, a day, a week (the API takes 1 to 10080).
export const LIFETIMES = [60, 240, 1440, 10080];

// 'revoked', 'expired' or 'active' at nowMs.
export function linkState(link, nowMs) {
  if (link.revokedMs) return 'revoked';
  if (!(link.expiresMs > nowMs)) return 'expired';
  return 'active';
}

// The links in use first, the one that ends soonest at the top; then the others, newest first.
export function sortLinks(links, nowMs) {
  const active = [];
  const rest = [];
  for (const l of links) (linkState(l, nowMs) === 'active' ? active : rest).push(l);
  active.sort((a, b) => a.expiresMs - b.expiresMs || b.id - a.id);
  rest.sort((a, b) => b.createdMs - a.createdMs || b.id - a.id);
  return active.concat(rest);
}

// The number of viewers a host typed, if the API would take it (1 to 1000), else null.
export function parseMaxViewers(text) {
  const s = String(text).trim();
  if (!/^\d+$/.test(s)) return null;
  const n = Number(s);
  return n >= 1 && n <= 1000 ? n : null;
}
