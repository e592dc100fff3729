#include "tests/support/sip_room.h"

#include "media/certificate.h"
#include "tests/support/udp.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

namespace mcu::test {
namespace {

// A 16 kHz mono sine of `seconds` as a WAV file: the room's microphone.
void WriteToneWav(const std::string& path, double hz, int seconds) {
  const int rate = 16000;
  std::vector<int16_t> pcm(static_cast<size_t>(rate * seconds));
  for (size_t i = 0; i < pcm.size(); ++i)
    pcm[i] = static_cast<int16_t>(8000 * std::sin(2 * M_PI * hz * static_cast<double>(i) / rate));
  const uint32_t data = static_cast<uint32_t>(pcm.size() * 2);
  std::ofstream out(path, std::ios::binary);
  auto u32 = [&](uint32_t v) { out.write(reinterpret_cast<const char*>(&v), 4); };
  auto u16 = [&](uint16_t v) { out.write(reinterpret_cast<const char*>(&v), 2); };
  out.write("RIFF", 4);
  u32(36 + data);
  out.write("WAVEfmt ", 8);
  u32(16), u16(1), u16(1), u32(rate), u32(rate * 2), u16(2), u16(16);
  out.write("data", 4);
  u32(data);
  out.write(reinterpret_cast<const char*>(pcm.data()), data);
}

}  // namespace

bool FreeTcpPort(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  const bool free = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return free;
}

// A port free for UDP and TCP whose next port is free for TCP: baresip's SIP listens on all of
// them (TLS on the next).
uint16_t FreeSipPorts() {
  for (int tries = 0; tries < 50; ++tries) {
    const uint16_t p = FreePort();
    if (p && p < 65000 && FreeTcpPort(p + 1)) return p;
  }
  return FreePort();
}

SipRoom::SipRoom(const SipRoomOptions& options) : options_(options) {
  const std::string dir = dir_.path().string();
  sip_port_ = FreeSipPorts();
  auto cert = media::Certificate::Generate("sip-room", {"IP:127.0.0.1"}, 2);
  if (cert.ok()) WriteFile(dir + "/cert.pem", cert->CertPem() + cert->KeyPem());
  // Its camera: three bars (red, green, blue), 640x360 at 15 fps, as H.264; its display: none,
  // but the snapshot filter saves a decoded frame when told to on the UDP console.
  std::string video;
  if (options.video) {
    console_port_ = FreePort();
    video =
        "module avcodec.so\nmodule fakevideo.so\nmodule snapshot.so\nmodule cons.so\n"
        "video_source fakevideo,nil\nvideo_display fakevideo,nil\nvideo_size 640x360\n"
        "video_fps 15\nvideo_bitrate 600000\ncons_listen 127.0.0.1:" +
        std::to_string(console_port_) + "\n";
  }
  WriteToneWav(dir + "/tone.wav", options.tone_hz, 120);
  std::filesystem::create_directories(dir + "/heard");
  // Headless: the tone file as microphone, ALSA's null device as loudspeaker, what is decoded
  // dumped by sndfile; SIP on loopback only (TLS for the calls it makes).
  WriteFile(dir + "/config",
            "poll_method epoll\n"
            "sip_listen 127.0.0.1:" +
                std::to_string(sip_port_) + "\nsip_certificate " + dir + "/cert.pem\n" +
                "net_interface 127.0.0.1\n"
                "sip_verify_server no\n"
                "audio_source aufile," +
                dir + "/tone.wav\n" +
                "audio_player alsa,null\n"
                "audio_alert alsa,null\n"
                "ausrc_srate 16000\n"
                "ausrc_channels 1\n"
                "module_path /usr/lib/baresip/modules\n"
                "module g711.so\n"
                "module g722.so\n"
                "module opus.so\n"
                "module aufile.so\n"
                "module alsa.so\n"
                "module sndfile.so\n"
                "module srtp.so\n"
                "module dtls_srtp.so\n"
                "module ice.so\n"
                "rtcp_mux " +
                std::string(options.rtcp_mux ? "yes" : "no") +
                "\n"
                "module_app account.so\n"
                "module_app menu.so\n"
                "snd_path " +
                dir + "/heard\n" + video);
  WriteFile(dir + "/accounts",
            "<sip:" + options.user + "@127.0.0.1;transport=" + options.transport +
                ">;regint=0;answermode=auto;audio_codecs=" + options.codec +
                (options.mediaenc.empty() ? "" : ";mediaenc=" + options.mediaenc) +
                (options.video_codecs.empty() ? "" : ";video_codecs=" + options.video_codecs) +
                (options.ice ? ";medianat=ice" : "") + "\n");
}

void SipRoom::Dial(const std::string& conference, int sip_tls_port) {
  const std::string dir = dir_.path().string();
  process_ = std::make_unique<Process>(
      std::vector<std::string>{"/usr/bin/baresip", "-f", dir, "-e",
                               "/dial sip:" + conference +
                                   "@127.0.0.1:" + std::to_string(sip_tls_port) +
                                   ";transport=" + options_.transport},
      dir + "/baresip.log");
}

void SipRoom::Listen() {
  const std::string dir = dir_.path().string();
  process_ = std::make_unique<Process>(std::vector<std::string>{"/usr/bin/baresip", "-f", dir},
                                       dir + "/baresip.log");
}

std::string SipRoom::uri() const {
  return "sip:" + options_.user + "@127.0.0.1:" + std::to_string(sip_port_ + 1) + ";transport=tls";
}

void SipRoom::Kill() {
  if (!process_) return;
  process_->Signal(SIGKILL);
  process_->Wait(std::chrono::seconds(5));
}

bool SipRoom::SnapshotReceived(const std::string& path, std::chrono::milliseconds timeout) {
  if (!options_.video || !process_) return false;
  const std::string command = "/snapshot_recv " + path + "\n";
  if (!SendUdp(console_port_, {command.begin(), command.end()})) return false;
  // baresip logs "png: wrote" before it closes the file: done when the file ends with the PNG
  // trailer (the IEND chunk and its CRC), not when it appears.
  static constexpr char kTrailer[] = "IEND\xae\x42\x60\x82";
  const std::string_view trailer(kTrailer, sizeof kTrailer - 1);
  return WaitUntil(
      [&] {
        std::ifstream in(path, std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), {});
        return bytes.ends_with(trailer);
      },
      timeout);
}

bool SipRoom::StopAndReadHeard(Wav* heard) {
  if (!process_) return false;
  process_->Stop();  // SIGTERM: baresip hangs up and closes its recordings.
  // The last call's recording (a room that was called several times has one per call).
  std::filesystem::path newest;
  std::filesystem::file_time_type newest_time;
  for (const auto& e : std::filesystem::directory_iterator(dir_ / "heard"))
    if (e.path().string().ends_with("-dec.wav") &&
        (newest.empty() || e.last_write_time() > newest_time))
      newest = e.path(), newest_time = e.last_write_time();
  return !newest.empty() && ReadWav(newest, heard);
}

}  // namespace mcu::test
