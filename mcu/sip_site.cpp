#include "mcu/sip_site.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <string>

namespace mcu {
namespace {

bool IsIpv4(const std::string& host) {
  in_addr a{};
  return inet_pton(AF_INET, host.c_str(), &a) == 1;
}

}  // namespace

Expected<SipUri> ParseSipUri(std::string_view text) {
  if (auto lt = text.find('<'); lt != std::string_view::npos) {
    auto gt = text.find('>', lt);
    if (gt == std::string_view::npos) return MakeError(ErrorKind::kInvalid, "unclosed '<'");
    text = text.substr(lt + 1, gt - lt - 1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  SipUri uri;
  auto colon = text.find(':');
  if (colon == std::string_view::npos) return MakeError(ErrorKind::kInvalid, "no sip: scheme");
  uri.scheme = std::string(text.substr(0, colon));
  std::transform(uri.scheme.begin(), uri.scheme.end(), uri.scheme.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (uri.scheme != "sip" && uri.scheme != "sips")
    return MakeError(ErrorKind::kInvalid, "the scheme must be sip or sips");
  std::string_view rest = text.substr(colon + 1);
  rest = rest.substr(0, rest.find_first_of(";?"));  // Parameters and headers.
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    uri.user = std::string(rest.substr(0, at));
    rest = rest.substr(at + 1);
  }
  if (auto c = rest.rfind(':'); c != std::string_view::npos && rest.front() != '[') {
    std::string port(rest.substr(c + 1));
    if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), ::isdigit) ||
        std::stoi(port) > 65535)
      return MakeError(ErrorKind::kInvalid, "invalid port");
    uri.port = std::stoi(port);
    rest = rest.substr(0, c);
  }
  if (rest.empty()) return MakeError(ErrorKind::kInvalid, "no host");
  uri.host = std::string(rest);
  std::transform(uri.host.begin(), uri.host.end(), uri.host.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return uri;
}

bool SipUriIsPlain(std::string_view uri) {
  std::string lower(uri);
  for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  const size_t start = lower.find_first_not_of(" \t<");
  if (start == std::string::npos || lower.compare(start, 4, "sip:") != 0) return false;
  for (const char* t : {";transport=tcp", ";transport=udp"}) {
    const size_t at = lower.find(t);
    if (at != std::string::npos) {
      const char next = at + std::strlen(t) < lower.size() ? lower[at + std::strlen(t)] : ';';
      if (next == ';' || next == '>' || next == '?' || next == ' ') return true;
    }
  }
  return false;
}

bool SipCallerMatches(const SipUri& site, const SipUri& from, std::string_view source_ip) {
  if (site.user != from.user) return false;
  if (IsIpv4(site.host)) return site.host == source_ip;
  return site.host == from.host;
}

}  // namespace mcu
