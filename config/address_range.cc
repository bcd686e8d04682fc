#include "config/address_range.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <sstream>

namespace kontobot::config {
namespace {

// The address's bytes and family; an IPv4-mapped IPv6 address is read as
// the IPv4 address it maps.
bool ReadAddress(const std::string& text, bool& v6, std::array<uint8_t, 16>& bytes) {
  bytes.fill(0);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    v6 = false;
    std::memcpy(bytes.data(), &v4, 4);
    return true;
  }
  in6_addr a6{};
  if (inet_pton(AF_INET6, text.c_str(), &a6) != 1) return false;
  static constexpr std::array<uint8_t, 12> kMapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(kMapped.begin(), kMapped.end(), a6.s6_addr)) {
    v6 = false;
    std::memcpy(bytes.data(), a6.s6_addr + 12, 4);
    return true;
  }
  v6 = true;
  std::memcpy(bytes.data(), a6.s6_addr, 16);
  return true;
}

}  // namespace

std::optional<AddressRange> AddressRange::Parse(const std::string& text) {
  AddressRange r;
  r.text_ = text;
  const size_t slash = text.find('/');
  const std::string address = text.substr(0, slash);
  // A mapped address is written as the IPv4 address it is; refuse the
  // mapped form so that a prefix is never read against the wrong width.
  if (address.find(':') != std::string::npos && address.find('.') != std::string::npos) {
    return std::nullopt;
  }
  if (!ReadAddress(address, r.v6_, r.bytes_)) return std::nullopt;
  const int width = r.v6_ ? 128 : 32;
  r.prefix_ = width;
  if (slash != std::string::npos) {
    const std::string p = text.substr(slash + 1);
    if (p.empty() || p.size() > 3 || p.find_first_not_of("0123456789") != std::string::npos) {
      return std::nullopt;
    }
    r.prefix_ = std::stoi(p);
    if (r.prefix_ > width) return std::nullopt;
  }
  return r;
}

bool AddressRange::Contains(const std::string& address) const {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};
  if (!ReadAddress(address, v6, bytes) || v6 != v6_) return false;
  const int whole = prefix_ / 8;
  if (!std::equal(bytes.begin(), bytes.begin() + whole, bytes_.begin())) return false;
  const int rest = prefix_ % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (bytes[whole] & mask) == (bytes_[whole] & mask);
}

std::optional<std::vector<AddressRange>> ParseAddressRanges(const std::string& text,
                                                            std::string& bad) {
  std::string spaced = text;
  std::replace(spaced.begin(), spaced.end(), ',', ' ');
  std::istringstream in(spaced);
  std::vector<AddressRange> out;
  for (std::string item; in >> item;) {
    auto r = AddressRange::Parse(item);
    if (!r) {
      bad = item;
      return std::nullopt;
    }
    out.push_back(*r);
  }
  return out;
}

}  // namespace kontobot::config
