// What the YAML configuration files (the metric catalog, the access tokens) share: errors that
// name the file, the key path and the flag that gave the file, and the typed reads both need.
// Internal to the service layer: it is the only one that sees yaml-cpp.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>

#include "nfmetrics/core/result.hpp"

namespace nfmetrics::service {

class YamlLoader {
 public:
  // `source` names the file in messages; `param` is the flag an Error names ("config",
  // "auth-tokens").
  YamlLoader(std::string_view source, std::string_view param) : source_(source), param_(param) {}

  // kBadRequest "<source>: <path>: <reason>".
  Error Fail(const std::string& path, const std::string& reason) const;
  // What yaml-cpp threw while reading, at its line when it knows one.
  Error Fail(const YAML::Exception& exception) const;

  // The document, whose top level must be a map: "must be a map with <expected>" otherwise.
  Result<YAML::Node> LoadMap(std::string_view text, std::string_view expected) const;

  // parent[key] as a string; absent or null is "" unless required.
  Result<std::string> String(const YAML::Node& parent, std::string_view key,
                             const std::string& path, bool required) const;
  // parent[key] as a list; absent or null is an empty list unless required.
  Result<YAML::Node> Sequence(const YAML::Node& parent, std::string_view key,
                              const std::string& path, bool required) const;

  // "path.key", or "key" at the top level (path "").
  static std::string At(const std::string& path, std::string_view key);

  const std::string& source() const { return source_; }

 private:
  std::string source_;
  std::string param_;
};

// The whole file, or kBadRequest "<path>: cannot be read" naming `param`.
Result<std::string> ReadConfigFile(const std::string& path, std::string_view param);

}  // namespace nfmetrics::service
