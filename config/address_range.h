// Address ranges for --trusted-proxies: single addresses or CIDR ranges,
// IPv4 or IPv6 ("127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8").
//
// A peer address is matched as the listener reports it: an IPv4 client of a
// dual-stack IPv6 socket appears as "::ffff:a.b.c.d" and is matched as the
// IPv4 address a.b.c.d, so "127.0.0.1" trusts a proxy on loopback whichever
// way kontobot listens.
//
// Thread-safety: immutable values; safe to share.
#ifndef KONTOBOT_CONFIG_ADDRESS_RANGE_H_
#define KONTOBOT_CONFIG_ADDRESS_RANGE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kontobot::config {

class AddressRange {
 public:
  // "ADDRESS" or "ADDRESS/PREFIX" (PREFIX 0..32 for IPv4, 0..128 for IPv6);
  // nullopt when malformed. Bits beyond the prefix are ignored.
  static std::optional<AddressRange> Parse(const std::string& text);

  // True when `address` (a bare IPv4 or IPv6 address, as
  // http_request::remote_address() gives it) lies in the range; false for
  // anything that is not an address.
  bool Contains(const std::string& address) const;

  int prefix() const { return prefix_; }
  const std::string& text() const { return text_; }

 private:
  bool v6_ = false;
  std::array<uint8_t, 16> bytes_{};
  int prefix_ = 0;
  std::string text_;
};

// A list separated by commas or spaces ("127.0.0.1, ::1 10.0.0.0/8"). On
// a malformed entry returns nullopt and sets `bad` to it.
std::optional<std::vector<AddressRange>> ParseAddressRanges(const std::string& text,
                                                            std::string& bad);

}  // namespace kontobot::config

#endif  // KONTOBOT_CONFIG_ADDRESS_RANGE_H_
