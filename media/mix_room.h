// A mixing conference: each site sees a continuous-presence composite of the others and hears
// everyone but itself, and each encoding is made once and shared.
//
// Threads and hand-offs (see docs/ARCHITECTURE.md, "Mixing"):
//   mcu-io       transport of every site; per site a FrameAssembler turns video packets into
//                frames pushed to the site's appsrc (one hand-off per frame); audio packets are
//                queued to the room's audio thread (one Opus packet is one 20 ms frame).
//   GStreamer    per site: appsrc ! decoder ! videoscale to its tile ! name overlay ! compositor;
//                the compositor's canvas is encoded once per output tier (1280x720, 640x360)
//                and packetized once; each tier's packets go to mcu-io a frame at a time, where
//                each receiver of the tier gets them with its own sequence numbers and SRTP.
//   mcu-audio-*  every 20 ms: jitter buffer and decode per site, mix-minus, one Opus encoding
//                per talking site plus one shared by every other site; payloads to mcu-io.
//   control      layout changes and adding/removing sites' branches (the domain's executor).
// A site whose answer rejects video (or is inactive for it) is audio only: no branch, no tile,
// no tier. The composite pipeline runs only while at least one site sends or receives video.
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
