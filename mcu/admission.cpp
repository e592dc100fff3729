#include "mcu/admission.h"

namespace mcu {

std::optional<Refusal> RefuseSignalling(const ConferenceRow& conference, bool plain_signalling) {
  if (!conference.classified || !plain_signalling) return std::nullopt;
  return Refusal{ErrorCode::kForbidden,
                 "conference '" + conference.id +
                     "' is classified: SIP rooms join it over TLS only (SIPS), never with keys "
                     "sent over plain SIP"};
}

std::optional<Refusal> RefuseSite(const AdmissionCase& c) {
  const ConferenceRow& row = c.conference;
  bool invited = c.member && c.member->invited;
  if (c.member && c.member->kicked)
    return Refusal{ErrorCode::kForbidden, "removed from this conference by its host"};
  if (!IsOpen(row)) return Refusal{ErrorCode::kConflict, "conference '" + row.id + "' is not open"};
  if (!invited && !row.invited.empty())
    return Refusal{ErrorCode::kForbidden, "not invited to conference '" + row.id + "'"};
  if (auto refusal = RefuseSignalling(row, c.plain_signalling)) return refusal;
  if (row.locked && !c.admitted_before)
    return Refusal{ErrorCode::kForbidden, "conference '" + row.id + "' is locked"};
  if (c.participants >= c.max_participants) return Refusal{ErrorCode::kFull, "conference is full"};
  return std::nullopt;
}

std::optional<Refusal> RefusePreview(const PreviewCase& c) {
  const ConferenceRow& row = c.conference;
  if (!c.role || *c.role < Role::kHost)
    return Refusal{ErrorCode::kForbidden,
                   "only a host or an administrator may preview a conference (a technician sees "
                   "stream health, not content)"};
  if (!IsOpen(row)) return Refusal{ErrorCode::kConflict, "conference '" + row.id + "' is not open"};
  if (row.mode == "echo")
    return Refusal{ErrorCode::kConflict, "an echo conference has no composite to preview"};
  if (row.classified)
    return Refusal{ErrorCode::kForbidden,
                   "conference '" + row.id + "' is classified: it cannot be previewed"};
  if (row.locked)
    return Refusal{ErrorCode::kForbidden,
                   "conference '" + row.id + "' is locked: its host unlocks it to allow a preview"};
  if (c.previews >= kMaxPreviews)
    return Refusal{ErrorCode::kFull, "too many previews of this conference"};
  return std::nullopt;
}

bool StrongestProtection(std::string_view srtp_profile) {
  // AES-GCM (RFC 7714), or AES-CM with the full 80-bit tag when the site has nothing better (most
  // SIP room systems with SDES). The 32-bit tag, NULL ciphers and anything unknown are not.
  std::string_view suite = srtp_profile.substr(0, srtp_profile.find(' '));  // " (DTLS)"
  return suite == "AEAD_AES_256_GCM" || suite == "AEAD_AES_128_GCM" ||
         suite == "AES_CM_128_HMAC_SHA1_80";
}

std::optional<Refusal> RefuseProtection(const ConferenceRow& conference,
                                        std::string_view srtp_profile) {
  if (!conference.classified || StrongestProtection(srtp_profile)) return std::nullopt;
  return Refusal{ErrorCode::kForbidden, "conference '" + conference.id +
                                            "' is classified: its media must be protected by "
                                            "AES-GCM or AES-CM with an 80-bit tag, not " +
                                            std::string(srtp_profile)};
}

}  // namespace mcu
