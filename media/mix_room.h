// A mixing conference: every site sees the same continuous-presence composite (its own tile
// included) and hears everyone but itself, and each encoding is made once and shared.
//
// Threads and hand-offs (see docs/ARCHITECTURE.md, "Mixing"):
//   mcu-io       transport of every site; per site a FrameAssembler turns video packets into
//                frames pushed to the site's appsrc (one hand-off per frame); audio packets are
//                queued to the room's audio thread (one Opus packet is one 20 ms frame).
//   GStreamer    per site: appsrc ! decoder ! videoscale to its tile ! name overlay ! compositor;
//                the compositor's canvas is encoded once per output tier (1280x720, 640x360)
//                and packetized once; each tier's packets go to mcu-io a frame at a time, where
//                each receiver of the tier gets them with its own sequence numbers and SRTP.
//   mcu-audio    one per room, every 20 ms: jitter buffer and decode per site, mix-minus, one
//                Opus encoding per talking site plus one shared by every other site; the
//                payloads go to mcu-io in one post per tick, where each receiver's audio RTP
//                (sequence, timestamp) is its own.
//   control      layout changes and adding/removing sites' branches (the domain's executor).
//
// The composite (media/composite_pipeline.cpp):
//   - Each input is scaled to its tile before the compositor (the compositor's own scaling
//     measured slower: docs/PERFORMANCE.md). Site branches are plain elements in the pipeline,
//     not bins: a bin's ghost pad activates after its children, so an appsrc's first push met
//     a flushing pad. A branch is linked and started downstream first; a leaving site's branch
//     goes to NULL first (its thread ends), then is unlinked and its compositor pad released.
//   - The compositor's deadline is 10 ms after a frame's slot: time to decode and scale a frame
//     pushed at arrival (a longer one delayed every frame and showed no more of them).
//   - A site's tile keeps its last frame; its name card (a still frame made at join) covers it
//     after 2 s without frames (kStallUs), while its video is muted, and until a keyframe.
//   - A site without a tile (beyond media/layout.h's 25, or hidden by the layout) is not
//     decoded: its frames stop at mcu-io; shown again, it is decoded from the keyframe it is
//     asked for.
//   - Keyframes: a receiver's PLI/FIR, a new receiver and a tier switch go through the tier's
//     KeyframeCoalescer (at most one forced keyframe per tier per 500 ms, so a joining site
//     waits at most half a second); a receiver starts, or switches tier, on a keyframe.
//   - Whenever the tiles change, each site whose tile changed is told its size
//     (Listener::OnSendSize); the bridge sends it `layout` and the site scales what it sends,
//     so the MCU decodes no pixels it would throw away.
//   - A muted site's audio is drained undecoded: neither mixed nor a candidate speaker.
// A site whose answer rejects video (or is inactive for it) is audio only: no branch, no name
// card, no tile, no tier; never a receiver, no keyframe is asked of it, and its stats say
// mix.tile false, mix.tier null. The composite pipeline is built with the room (a missing
// plugin fails it at once) but stays in NULL, with no thread and no codec state, until a site
// sends or receives video; it goes back to NULL when the last such site leaves, and at each
// start both tiers encode for their first 2 s so that the encoders' initialisation is on
// nobody's first frame.
#pragma once

#include <memory>
#include <string>

#include "mcu/media_api.h"

namespace mcu::media {

class TransportMediaEngine;

Expected<std::unique_ptr<MediaRoom>> CreateMixRoom(TransportMediaEngine* engine,
                                                   const std::string& name,
                                                   MediaRoom::Listener* listener);

}  // namespace mcu::media
