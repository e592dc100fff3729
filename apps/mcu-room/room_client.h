// The room endpoint's behaviour: keep a connection to the MCU (so that the MCU knows the room is
// online), authenticate with the room token, join the conference the MCU calls it into (or a
// fixed one), answer the MCU's offer with the room's media, leave when the conference ends, and
// come back by itself (with exponential backoff) whenever the MCU, the network or the media goes
// away. Nobody at the site touches anything.
//
// Threading: lives on the thread running the default GMainContext. WebSocket callbacks arrive on
// the client's I/O thread and are posted here.
#pragma once

#include <glib.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "apps/mcu-room/devices.h"
#include "apps/mcu-room/room_media.h"
#include "apps/mcu-room/screen_text.h"
#include "signaling/wss_client.h"

namespace mcu::room {

struct ClientOptions {
  signaling::WssClientOptions wss;
  std::string token;
  // Joined as soon as authenticated, and again after any drop. Empty: the room waits, connected,
  // until the MCU calls it into a conference (`call`), and after it leaves waits again.
  std::string conference;
  // Share content: this connection carries the site's slides or screen (video only) into the
  // conference the site is in; the MCU calls it in and out with the site.
  bool content = false;
  int max_kbps = 0;  // Declared receive bandwidth (0: not declared).
  bool verbose = false;
  Language language = Language::kVi;  // Of what the screen says.
  // The devices asked for: checked after each welcome and before each join, reported to the MCU
  // (`devices`); what is missing is left out of the media (a slate instead of the camera,
  // silence instead of the microphone, no playout) and the room joins with the rest.
  bool check_devices = true;
  bool speaker_requested = false;  // --speaker was not none.
  // The content input (an HDMI capture of a laptop: a V4L2 device; "test": a test pattern) the
  // room shares with its key (C); empty: the key does nothing.
  std::string content_camera;
};

class RoomClient {
 public:
  RoomClient(ClientOptions options, MediaOptions media);
  ~RoomClient();
  void Start();
  RoomMedia* media() { return media_.get(); }
  const RoomStatus& status() const { return status_; }
  // Called on the main thread after every change of status().
  void SetStatusListener(std::function<void(const RoomStatus&)> listener) {
    status_listener_ = std::move(listener);
  }
  // The room's own microphone mute (its key), kept across reconnections.
  void ToggleMicMute();
  // Starts or stops sharing the content input: a second connection with the site's token and
  // role content, which the MCU calls into the conference the room is in.
  void ToggleContent();
  // A key pressed at the room (the display window's, or a USB presenter's).
  void OnKey(const std::string& key);
  bool media_connected() const { return media_connected_; }
  int connections() const { return connections_; }  // Successful joins so far.
  // Sites of the last roster whose media is connected, this room included.
  int sites_with_media() const { return sites_with_media_; }
  // Asks the MCU for its statistics of this room's transport (`getStats`); the reply is kept.
  void RequestServerStats();
  const std::string& server_stats() const { return server_stats_; }  // Last reply, JSON or "".

 private:
  void Connect();
  void OnOpen();
  void OnMessage(const std::string& text);
  void OnClosed(const std::string& reason);
  void ScheduleReconnect(const std::string& why);
  void ResetMedia();
  void Join(const std::string& conference);
  void Post(std::function<void()> fn);
  void Send(const std::string& text);
  void CheckDevices();
  DeviceStates ProbeNow() const;  // The configured devices as they are now (blocks briefly).
  void Changed();                 // status_ changed: the media's status line, then the listener.
  void PollStats();

  ClientOptions options_;
  MediaOptions media_options_;
  signaling::IoThread io_;
  std::shared_ptr<signaling::WssClient> ws_;
  std::unique_ptr<RoomMedia> media_;
  unsigned generation_ = 0;  // Bumped per connection: late callbacks of old ones are ignored.
  int backoff_ms_ = 500;
  guint reconnect_timer_ = 0;
  bool media_connected_ = false;
  int connections_ = 0;
  int sites_with_media_ = 0;
  std::string server_stats_;
  std::string current_conference_;  // Joined or joining; empty while idle.
  RoomStatus status_;
  std::function<void(const RoomStatus&)> status_listener_;
  std::optional<TransportStats> last_stats_;  // The MCU's, of this media connection.
  guint poll_timer_ = 0;
  std::unique_ptr<RoomClient> content_;                 // While sharing.
  bool devices_reported_ = false;                       // On this connection.
  uint64_t last_sent_video_ = 0, last_sent_audio_ = 0;  // At the last poll.
  int stalls_ = 0;
  unsigned polls_ = 0;  // Polls in a row with one stalled.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace mcu::room
