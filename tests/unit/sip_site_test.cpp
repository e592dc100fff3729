// Specs of mcu/sip_site.h: SIP URIs as sites and callers write them, and which caller is which
// SIP site (user part, and the source address when the site's host is an IPv4 address).
#include "mcu/sip_site.h"

#include <gtest/gtest.h>

namespace mcu {
namespace {

TEST(SipUri, ParsesTheFormsRoomsAndSitesWrite) {
  auto a = ParseSipUri("sip:room1@10.0.0.5");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->scheme, "sip");
  EXPECT_EQ(a->user, "room1");
  EXPECT_EQ(a->host, "10.0.0.5");
  EXPECT_EQ(a->port, 0);
  auto b = ParseSipUri("\"Phòng họp\" <SIPS:101@Codec.Tinh.VN:5061;transport=tls>");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->scheme, "sips");
  EXPECT_EQ(b->user, "101");
  EXPECT_EQ(b->host, "codec.tinh.vn");
  EXPECT_EQ(b->port, 5061);
  auto c = ParseSipUri("sip:10.0.0.9?subject=x");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->user, "");
  EXPECT_EQ(c->host, "10.0.0.9");
}

TEST(SipUri, PlainSipIsASipUriThatAsksForTcpOrUdp) {
  EXPECT_TRUE(SipUriIsPlain("sip:room@10.0.0.5;transport=udp"));
  EXPECT_TRUE(SipUriIsPlain("<SIP:room@10.0.0.5:5060;Transport=TCP;lr>"));
  EXPECT_FALSE(SipUriIsPlain("sip:room@10.0.0.5")) << "called over TLS";
  EXPECT_FALSE(SipUriIsPlain("sip:room@10.0.0.5;transport=tls"));
  EXPECT_FALSE(SipUriIsPlain("sips:room@10.0.0.5;transport=tcp")) << "sips: is TLS";
  EXPECT_FALSE(SipUriIsPlain("sip:room@10.0.0.5;transport=udpx"));
}

TEST(SipUri, RefusesWhatIsNotASipUri) {
  for (const char* bad : {"", "tel:+84123", "room1@10.0.0.5", "sip:", "sip:a@", "<sip:a@b",
                          "sip:a@b:99999", "sip:a@b:x"})
    EXPECT_FALSE(ParseSipUri(bad).ok()) << bad;
}

TEST(SipCaller, MatchesByUserAndSourceAddressWhenTheSiteNamesAnAddress) {
  auto site = *ParseSipUri("sip:phong1@10.0.0.5");
  EXPECT_TRUE(SipCallerMatches(site, *ParseSipUri("sip:phong1@10.0.0.5:5060"), "10.0.0.5"));
  // The From host is the caller's word; the address is what the network says.
  EXPECT_FALSE(SipCallerMatches(site, *ParseSipUri("sip:phong1@10.0.0.5"), "10.0.0.6"));
  EXPECT_FALSE(SipCallerMatches(site, *ParseSipUri("sip:phong2@10.0.0.5"), "10.0.0.5"));
}

TEST(SipCaller, MatchesByUserAndHostWhenTheSiteNamesADomain) {
  auto site = *ParseSipUri("sip:101@codec.tinh.vn");
  EXPECT_TRUE(SipCallerMatches(site, *ParseSipUri("<sip:101@CODEC.tinh.vn>"), "10.1.1.1"));
  EXPECT_FALSE(SipCallerMatches(site, *ParseSipUri("sip:101@other.vn"), "10.1.1.1"));
}

}  // namespace
}  // namespace mcu
