// Who may join a conference now: the admission rules as pure functions over plain values, so
// that each rule is stated once and tested in microseconds (tests/unit/admission_test.cpp). The
// bridge gathers the values on its control executor and sends the refusal it gets to the site.
//
// A site is refused, in this order:
//   1. removed by the host (kicked) until the host calls it again  -> forbidden
//   2. the conference is not open                                  -> conflict
//   3. not invited, when the conference has invitations            -> forbidden
//      (a conference without invitations, like the echo test, admits any site)
//   4. a SIP call over plain UDP/TCP (its SDES keys readable on the path) to a classified
//      conference                                                -> forbidden
//   5. the conference is locked and the site was not in it since it opened -> forbidden
//   6. the conference is at its participant limit                  -> full
//
// Once connected, a site of a classified conference is removed if its media is protected by
// less than AES-GCM or AES-CM-128 with an 80-bit tag (RefuseProtection).
//
// A console preview (receive-only: the composite and the full mix) is refused, in this order:
//   1. the user is no host or administrator (a technician sees stream health, not content),
//      or no console user at all                                -> forbidden
//   2. the conference is not open                                -> conflict
//   3. an echo conference (no composite)                         -> conflict
//      a classified conference (never previewed)                 -> forbidden
//   4. the conference is locked: its host unlocks it to let a preview in; previews already
//      watching stay (each is shown to the conference as a viewer) -> forbidden
//   5. kMaxPreviews already watching                             -> full
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "mcu/endpoint_api.h"
#include "mcu/principal.h"
#include "mcu/store.h"

namespace mcu {

struct Refusal {
  ErrorCode code = ErrorCode::kForbidden;
  std::string reason;  // Told to the site as it is.
};

// A scheduled conference is open between its opening and its closing; a permanent one always.
inline bool IsOpen(const ConferenceRow& row) {
  return row.permanent() || row.state == ConferenceState::kOpen;
}

// What admission looks at for one site and one conference.
struct AdmissionCase {
  const ConferenceRow& conference;
  const MemberRow* member = nullptr;  // The site's settings there; null: none (not invited).
  bool admitted_before = false;       // In it since it opened (a lock lets it back).
  size_t participants = 0;            // Sites' participants in it now (content included).
  size_t max_participants = 0;
  bool plain_signalling = false;  // A SIP call that came over plain UDP/TCP: its SDES keys too.
};
std::optional<Refusal> RefuseSite(const AdmissionCase& c);

constexpr size_t kMaxPreviews = 8;  // Console previews per conference.
// What admission looks at for one console user's preview of one conference.
struct PreviewCase {
  const ConferenceRow& conference;
  std::optional<Role> role;  // The user's role now; none: no such console user.
  size_t previews = 0;       // Previews of the conference now.
};
std::optional<Refusal> RefusePreview(const PreviewCase& c);

// A SIP leg keyed over plain SIP (UDP/TCP) in a classified conference (rule 4 above).
std::optional<Refusal> RefuseSignalling(const ConferenceRow& conference, bool plain_signalling);
// Whether an SRTP profile or SDES suite, as the media port reports it ("AEAD_AES_128_GCM",
// "AES_CM_128_HMAC_SHA1_80 (DTLS)"), is strong enough for a classified conference.
bool StrongestProtection(std::string_view srtp_profile);
std::optional<Refusal> RefuseProtection(const ConferenceRow& conference,
                                        std::string_view srtp_profile);

}  // namespace mcu
