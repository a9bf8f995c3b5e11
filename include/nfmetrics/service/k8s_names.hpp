// Kubernetes names that can only hold valid values: once parsed, never re-validated downstream.
#pragma once

#include <compare>
#include <string>
#include <string_view>

#include "nfmetrics/core/result.hpp"

namespace nfmetrics::service {

// RFC 1123 label: at most 63 of [a-z0-9-], starting and ending alphanumeric.
bool IsDns1123Label(std::string_view text);
// RFC 1123 subdomain: at most 253 chars, dot-separated labels of [a-z0-9-].
bool IsDns1123Subdomain(std::string_view text);

template <class Tag>
class ValidatedName {
 public:
  // Errors carry no param; the caller knows which parameter it parsed.
  static Result<ValidatedName> Parse(std::string_view text) {
    if (!Tag::IsValid(text)) {
      return Error{ErrorCode::kBadRequest,
                   std::string("invalid ")
                       .append(Tag::kWhat)
                       .append(" \"")
                       .append(text)
                       .append("\": ")
                       .append(Tag::kRule),
                   ""};
    }
    return ValidatedName(std::string(text));
  }
  const std::string& str() const { return value_; }
  auto operator<=>(const ValidatedName&) const =
      default;  // NOLINT(modernize-use-nullptr): tidy 14 misreads <=>

 private:
  explicit ValidatedName(std::string value) : value_(std::move(value)) {}
  std::string value_;
};

struct NamespaceTag {
  static constexpr const char* kWhat = "namespace";
  static constexpr const char* kRule =
      "must be a DNS-1123 label (at most 63 lower-case letters, digits and '-', starting and "
      "ending "
      "with a letter or digit)";
  static bool IsValid(std::string_view text) { return IsDns1123Label(text); }
};
struct MonoVertexNameTag {
  static constexpr const char* kWhat = "MonoVertex name";
  static constexpr const char* kRule =
      "must be a DNS-1123 subdomain (at most 253 lower-case letters, digits, '-' and '.')";
  static bool IsValid(std::string_view text) { return IsDns1123Subdomain(text); }
};
struct PodNameTag {
  static constexpr const char* kWhat = "pod name";
  static constexpr const char* kRule =
      "must be a DNS-1123 subdomain (at most 253 lower-case letters, digits, '-' and '.')";
  static bool IsValid(std::string_view text) { return IsDns1123Subdomain(text); }
};

struct PipelineNameTag {
  static constexpr const char* kWhat = "pipeline name";
  static constexpr const char* kRule =
      "must be a DNS-1123 subdomain (at most 253 lower-case letters, digits, '-' and '.')";
  static bool IsValid(std::string_view text) { return IsDns1123Subdomain(text); }
};
struct VertexNameTag {
  static constexpr const char* kWhat = "vertex name";
  static constexpr const char* kRule =
      "must be a DNS-1123 label (at most 63 lower-case letters, digits and '-', starting and "
      "ending with a letter or digit)";
  static bool IsValid(std::string_view text) { return IsDns1123Label(text); }
};

using Namespace = ValidatedName<NamespaceTag>;
using PipelineName = ValidatedName<PipelineNameTag>;
using VertexName = ValidatedName<VertexNameTag>;
using MonoVertexName = ValidatedName<MonoVertexNameTag>;
using PodName = ValidatedName<PodNameTag>;

}  // namespace nfmetrics::service
