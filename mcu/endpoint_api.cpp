#include "mcu/endpoint_api.h"

namespace mcu {

const char* ToString(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBadRequest:
      return "bad_request";
    case ErrorCode::kUnauthorized:
      return "unauthorized";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kConflict:
      return "conflict";
    case ErrorCode::kFull:
      return "full";
    case ErrorCode::kForbidden:
      return "forbidden";
    case ErrorCode::kTooLarge:
      return "too_large";
    case ErrorCode::kRateLimited:
      return "rate_limited";
    case ErrorCode::kMediaFailed:
      return "media_failed";
    case ErrorCode::kInternal:
      break;
  }
  return "internal";
}

ErrorCode ErrorCodeFromString(const std::string& name) {
  for (auto code : {ErrorCode::kBadRequest, ErrorCode::kUnauthorized, ErrorCode::kNotFound,
                    ErrorCode::kConflict, ErrorCode::kFull, ErrorCode::kForbidden,
                    ErrorCode::kTooLarge, ErrorCode::kRateLimited, ErrorCode::kMediaFailed})
    if (name == ToString(code)) return code;
  return ErrorCode::kInternal;
}

}  // namespace mcu
