#include "mcu/admission.h"

namespace mcu {

std::optional<Refusal> RefuseSite(const AdmissionCase& c) {
  const ConferenceRow& row = c.conference;
  bool invited = c.member && c.member->invited;
  if (c.member && c.member->kicked)
    return Refusal{ErrorCode::kForbidden, "removed from this conference by its host"};
  if (!IsOpen(row)) return Refusal{ErrorCode::kConflict, "conference '" + row.id + "' is not open"};
  if (!invited && !row.invited.empty())
    return Refusal{ErrorCode::kForbidden, "not invited to conference '" + row.id + "'"};
  if (row.locked && !c.admitted_before)
    return Refusal{ErrorCode::kForbidden, "conference '" + row.id + "' is locked"};
  if (c.participants >= c.max_participants) return Refusal{ErrorCode::kFull, "conference is full"};
  return std::nullopt;
}

std::optional<Refusal> RefusePreview(const ConferenceRow& conference, size_t previews) {
  if (!IsOpen(conference))
    return Refusal{ErrorCode::kConflict, "conference '" + conference.id + "' is not open"};
  if (conference.mode == "echo")
    return Refusal{ErrorCode::kConflict, "an echo conference has no composite to preview"};
  if (previews >= kMaxPreviews)
    return Refusal{ErrorCode::kFull, "too many previews of this conference"};
  return std::nullopt;
}

}  // namespace mcu
