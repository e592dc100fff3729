// The bridge: the domain's heart. It knows the sites (rooms and district points) and the
// conferences, authenticates endpoint connections by room token, admits sites into conferences,
// creates their media endpoints and tells every member who is there.
//
// Threading: all state below lives on `control_` (one TaskQueue). EndpointHandler calls arrive
// from signaling threads and MediaEndpoint::Listener calls from the media I/O thread; both only
// post to `control_`, which re-checks that the connection or participant still exists.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>

#include "mcu/config.h"
#include "mcu/endpoint_api.h"
#include "mcu/media_api.h"
#include "mcu/task_queue.h"

namespace mcu {

class Bridge : public EndpointHandler, public MediaEndpoint::Listener {
 public:
  Bridge(const Config& config, MediaEngine* media);
  ~Bridge() override;

  // EndpointHandler
  void OnEndpointOpen(ConnectionId id, std::shared_ptr<EndpointConnection> connection,
                      const std::string& remote_address) override;
  void OnEndpointRequest(ConnectionId id, EndpointRequest request) override;
  void OnEndpointClosed(ConnectionId id) override;

  // MediaEndpoint::Listener
  void OnMediaConnected(ParticipantId id, const std::string& srtp_profile) override;
  void OnMediaFailed(ParticipantId id, const std::string& reason) override;
  void OnMediaClosed(ParticipantId id) override;
  void OnSendSize(ParticipantId id, int width, int height, int tiles) override;

  // Waits until every task posted so far has run (tests and orderly shutdown).
  void Flush();
  // Closes every connection and media endpoint; afterwards the bridge accepts nothing.
  void Shutdown();

  struct Counts {
    size_t connections = 0, authenticated = 0, participants = 0;
  };
  Counts counts();

 private:
  struct Connection {
    std::shared_ptr<EndpointConnection> link;
    std::string remote_address;
    std::string site_id;  // Empty until authenticated.
    ParticipantId participant = 0;
  };
  struct Participant {
    ParticipantId id = 0;
    ConnectionId connection = 0;
    std::string site_id;
    std::string conference_id;
    std::string media_state = "connecting";
    std::unique_ptr<MediaEndpoint> media;
  };
  struct Conference {
    ConferenceConfig config;
    std::unique_ptr<MediaRoom> room;  // Created when the first site joins.
    std::map<ParticipantId, Participant*> members;
  };

  void Handle(ConnectionId id, EndpointRequest& request);
  void HandleAuth(Connection& c, ConnectionId id, const EndpointRequest& r);
  void HandleJoin(Connection& c, ConnectionId id, const EndpointRequest& r);
  void RemoveParticipant(ParticipantId id, const std::string& reason, bool notify);
  void BroadcastRoster(const std::string& conference_id);
  void SendError(Connection& c, const std::string& reply_to, ErrorCode code, std::string message);
  void Send(Connection& c, const std::string& reply_to, decltype(EndpointEvent::body) body);

  Config config_;
  MediaEngine* media_;
  std::map<std::string, SiteConfig> sites_;
  std::map<std::string, Conference> conferences_;
  std::map<ConnectionId, Connection> connections_;
  std::map<ParticipantId, std::unique_ptr<Participant>> participants_;
  ParticipantId next_participant_ = 1;
  bool shut_down_ = false;
  TaskQueue control_{"mcu-control"};  // Last: stopped (and drained) before the state goes.
};

}  // namespace mcu
