// Who may join a conference now: the admission rules as pure functions over plain values, so
// that each rule is stated once and tested in microseconds (tests/unit/admission_test.cpp). The
// bridge gathers the values on its control executor and sends the refusal it gets to the site.
//
// A site is refused, in this order:
//   1. removed by the host (kicked) until the host calls it again  -> forbidden
//   2. the conference is not open                                  -> conflict
//   3. not invited, when the conference has invitations            -> forbidden
//      (a conference without invitations, like the echo test, admits any site)
//   4. the conference is locked and the site was not in it since it opened -> forbidden
//   5. the conference is at its participant limit                  -> full
// A console preview (receive-only) is refused by a conference that is not open, an echo
// conference (no composite), or one with kMaxPreviews already watching.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "mcu/endpoint_api.h"
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
};
std::optional<Refusal> RefuseSite(const AdmissionCase& c);

constexpr size_t kMaxPreviews = 8;  // Console previews per conference.
std::optional<Refusal> RefusePreview(const ConferenceRow& conference, size_t previews);

}  // namespace mcu
