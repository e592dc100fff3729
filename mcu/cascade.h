// Cascade links: a conference of this MCU joined to a conference of another MCU (central,
// province, district; or the People's Committee's system) as one participant of each.
//
// One side dials: it connects to the other MCU's endpoint protocol as a room would (`auth` with
// the credential the other MCU gave it, `join`), and answers the other MCU's offer with a
// participant of its own conference that made no offer (ParticipantMediaInfo::remote_offer).
// The other side needs nothing new: the link is one of its sites, of kind cascade, whose token
// is the credential. Each side's mixing room then treats the link as a site: it hears the mix of
// everyone but the link (so nothing comes back the way it came: no echo in any tree of links),
// it is shown in a tile, and it receives the composite at its tier.
//
// Either MCU can dial. One end of each link is the parent (the upper level), the other the
// child; the usual set-up is the child dialling its parent (district -> province -> central),
// and a link may say otherwise (LinkTarget::role, on either side). The dialler says its role in
// `join`; an acceptor that expects another refuses it (failure "role"). Control then flows by
// role, whichever side dials: each end sends the other a `link` message (LinkSide in
// mcu/endpoint_api.h) whenever its side changes, and once a second for its roll-call:
//  - both ways: its conference's title, who speaks there (unless it is the link itself: each
//    side makes its link participant its own active speaker when the other side's speaker is
//    not this side, so voice-activated layouts follow one speaker through the whole tree, and
//    names that speaker), and its roll-call summary (sites expected, connected, with video);
//  - the parent's only: its host's actions on the child's conference as a whole: the link muted
//    (audio, video) or spotlighted there, shown on the child's roll-call; its layout and lock,
//    which the child's conference takes on whenever they change at the parent (and when the link
//    joins), audited there as the link's; the child's host may change them again afterwards.
// The accepting side also sends the link what it sends any site (`muted`, `speaker`).
//
// Links must form a tree, as the administrative levels do: a loop (A-B-C-A) would feed sound
// back. Each MCU has a stable id (Store::McuId); each side of a link tells the other the ids its
// conference reaches without the link (its own, and what its other links said: `join` and
// `joined` carry them, `mcus` updates them), and refuses the link when the two sets meet: the
// roll-calls show it refused with failure "loop", an alarm of kind loop rises (mcu/bridge_links.cpp
// McusBehind, RefuseLoop, TellLinks). Its tile is labelled with the other conference's title on the
// dialling side and with the site's name on the accepting side. Each side sends a link a composite
// of its own (ParticipantMediaInfo::link; media/mix_room_impl.h LinkView): every site but the link,
// in the speaker layout with the speaker (or the last one that was not the link) large, so that the
// other side never sees its own conference inside this one (no picture in a picture that
// shrinks at each turn) and its own speaker or single layout of the link shows who talks here.
// A link costs each side a decoder branch, as a room does, plus that composite: one more
// compositor, a scaler per shown site, and an encoder at the link's tier (max_kbps, 1500 by
// default: 1280x720), scaled down to the size the other side shows the link at (`shown` in its
// `link` message: a link in a 2x2 grid is encoded at 640x360); measured in docs/PERFORMANCE.md.
//
// This header holds the pure parts (the target's rules, the redial backoff); the state machine
// that drives a link is the bridge's (mcu/bridge_links.cpp, states in mcu/states.h LinkState).
#pragma once

#include <cstdint>
#include <string>

#include "mcu/expected.h"

namespace mcu {

// Where a cascade link this MCU dials goes: a conference on another MCU. The other MCU knows
// the link as one of its sites (kind cascade) whose token is `credential`.
struct LinkTarget {
  std::string url;          // wss://host:port/ws of the other MCU.
  std::string conference;   // Its conference to join; empty: wait to be called in.
  std::string credential;   // The token the other MCU gave this link. Kept as it is (this MCU
                            // must present it), never returned by the API nor logged.
  std::string fingerprint;  // SHA-256 of the other MCU's TLS certificate: the only one accepted.
  int max_kbps = 1500;      // What this MCU receives over the link (the other's composite tier).
  // This MCU's role on the link, "parent" or "child"; empty: the usual set-up, the dialling side
  // is the child and the accepting side the parent (LinkRole). Also set on a site of kind cascade
  // that this MCU only accepts, when it is the child there.
  std::string role;
  bool dials() const { return !url.empty(); }
  bool operator==(const LinkTarget&) const = default;
};

// A target is complete: a wss:// URL, a credential, a pinned fingerprint (32 hex bytes, with or
// without colons), a conference id if any, and 100-100000 kb/s. The fingerprint is returned in
// the form the TLS client compares ("AB:CD:...").
Expected<std::string> ValidateLinkTarget(const LinkTarget& target);

// A link's URL is wss://host[:port]/path (host a name or an IPv4 address).
Status ValidateLinkUrl(const std::string& url);

// A link's role is "parent", "child" or empty (the usual one).
Status ValidateLinkRole(const std::string& role);
// This MCU's role on the link `target` leads to: its own, else "child" when this MCU dials it and
// "parent" when it accepts it.
std::string LinkRole(const LinkTarget& target);
// The role the other end of a link has when this end has `role`.
inline std::string OtherRole(const std::string& role) {
  return role == "parent" ? "child" : "parent";
}

// Redial delays: from `min_ms`, doubled after each failure up to `max_ms`, plus up to a quarter
// of it at random (links of many districts that lost their province do not all come back in
// the same second); Reset() once a link has worked.
class Backoff {
 public:
  explicit Backoff(int min_ms = 500, int max_ms = 10000)
      : min_ms_(min_ms), max_ms_(max_ms), next_ms_(min_ms) {}
  // The delay before the next attempt; `random` is any random number.
  int Next(uint32_t random);
  void Reset() { next_ms_ = min_ms_; }

 private:
  int min_ms_, max_ms_, next_ms_;
};

}  // namespace mcu
