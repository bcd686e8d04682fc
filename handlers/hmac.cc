#include "handlers/hmac.h"

#include <array>
#include <map>
#include <mutex>
#include <stdexcept>

#include <openssl/evp.h>
#include <openssl/params.h>

namespace kontobot::handlers {

namespace {

// A copy of the context keyed with `key`; the keyed ones live as long as
// the process (a handful: one per configured secret).
EVP_MAC_CTX* NewContext(std::string_view key) {
  static std::mutex mu;
  static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  static auto* keyed = new std::map<std::string, EVP_MAC_CTX*, std::less<>>();
  std::lock_guard<std::mutex> lock(mu);
  auto it = keyed->find(key);
  if (it == keyed->end()) {
    // A fuzzer or a misconfiguration must not grow this without bound.
    if (keyed->size() >= 16) {
      for (auto& [k, ctx] : *keyed) EVP_MAC_CTX_free(ctx);
      keyed->clear();
    }
    EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
    std::array<char, 7> digest{"SHA256"};
    std::array<OSSL_PARAM, 2> params{OSSL_PARAM_construct_utf8_string("digest", digest.data(), 0),
                                     OSSL_PARAM_construct_end()};
    EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                 params.data());
    it = keyed->emplace(std::string(key), ctx).first;
  }
  return EVP_MAC_CTX_dup(it->second);
}

}  // namespace

std::string HmacSha256(std::string_view key, std::initializer_list<std::string_view> parts) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  size_t len = 0;
  EVP_MAC_CTX* ctx = NewContext(key);
  if (ctx == nullptr) throw std::runtime_error("OpenSSL cannot make an HMAC-SHA256 context");
  for (std::string_view s : parts)
    EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(s.data()), s.size());
  EVP_MAC_final(ctx, mac.data(), &len, mac.size());
  EVP_MAC_CTX_free(ctx);
  return {reinterpret_cast<const char*>(mac.data()), len};
}

std::string Hex(std::string_view bytes) {
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    auto b = static_cast<unsigned char>(c);
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xF]);
  }
  return out;
}

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<std::string> FromBase64(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  for (char c : text) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/' || c == '=';
    if (!ok) return std::nullopt;  // EVP_DecodeBlock would skip blanks silently
  }
  std::string out(3 * text.size() / 4, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock counts the padding as zero bytes.
  size_t pad = 0;
  if (!text.empty() && text.back() == '=') ++pad;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

}  // namespace kontobot::handlers
