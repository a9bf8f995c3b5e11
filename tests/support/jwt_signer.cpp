#include "support/jwt_signer.hpp"

#include <openssl/bio.h>
#include <openssl/buffer.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <stdexcept>
#include <vector>

namespace nfmetrics::testing {

std::string Base64Url(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t bits = 0;
  int pending = 0;
  for (unsigned char byte : bytes) {
    bits = (bits << 8) | byte;
    pending += 8;
    while (pending >= 6) {
      pending -= 6;
      out.push_back(kAlphabet[(bits >> pending) & 0x3f]);
    }
  }
  if (pending > 0) out.push_back(kAlphabet[(bits << (6 - pending)) & 0x3f]);
  return out;
}

namespace {

std::string SignHmac(const EVP_MD* digest, std::string_view header_json,
                     std::string_view payload_json, std::string_view secret) {
  std::string input = Base64Url(header_json) + "." + Base64Url(payload_json);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (HMAC(digest, secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac,
           &size) == nullptr) {
    throw std::runtime_error("HMAC failed");
  }
  return input + "." + Base64Url(std::string_view(reinterpret_cast<const char*>(mac), size));
}

}  // namespace

std::string SignHs256(std::string_view header_json, std::string_view payload_json,
                      std::string_view secret) {
  return SignHmac(EVP_sha256(), header_json, payload_json, secret);
}

std::string SignHs512(std::string_view header_json, std::string_view payload_json,
                      std::string_view secret) {
  return SignHmac(EVP_sha512(), header_json, payload_json, secret);
}

RsaKeyPair::RsaKeyPair(unsigned bits) : key_(EVP_RSA_gen(bits), &EVP_PKEY_free) {
  if (!key_) throw std::runtime_error("EVP_RSA_gen failed");
}

std::string RsaKeyPair::PublicPem() const {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) {
    throw std::runtime_error("PEM_write_bio_PUBKEY failed");
  }
  BUF_MEM* memory = nullptr;
  BIO_get_mem_ptr(bio.get(), &memory);
  return std::string(memory->data, memory->length);
}

std::string RsaKeyPair::SignRs256(std::string_view header_json,
                                  std::string_view payload_json) const {
  std::string input = Base64Url(header_json) + "." + Base64Url(payload_json);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                  &EVP_MD_CTX_free);
  std::size_t size = 0;
  if (!context ||
      EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1 ||
      EVP_DigestSign(context.get(), nullptr, &size,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    throw std::runtime_error("EVP_DigestSign failed");
  }
  std::vector<unsigned char> signature(size);
  if (EVP_DigestSign(context.get(), signature.data(), &size,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    throw std::runtime_error("EVP_DigestSign failed");
  }
  return input + "." +
         Base64Url(std::string_view(reinterpret_cast<const char*>(signature.data()), size));
}

}  // namespace nfmetrics::testing
