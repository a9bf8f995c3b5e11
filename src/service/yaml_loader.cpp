#include "service/yaml_loader.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

namespace nfmetrics::service {

Error YamlLoader::Fail(const std::string& path, const std::string& reason) const {
  return Error{ErrorCode::kBadRequest, fmt::format("{}: {}: {}", source_, path, reason), param_};
}

Error YamlLoader::Fail(const YAML::Exception& exception) const {
  return Fail(
      exception.mark.is_null() ? "(document)" : fmt::format("line {}", exception.mark.line + 1),
      exception.msg);
}

Result<YAML::Node> YamlLoader::LoadMap(std::string_view text, std::string_view expected) const {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Fail(e);
  }
  if (!root.IsMap()) return Fail("(top level)", fmt::format("must be a map with {}", expected));
  return root;
}

Result<std::string> YamlLoader::String(const YAML::Node& parent, std::string_view key,
                                       const std::string& path, bool required) const {
  YAML::Node node = parent[std::string(key)];
  if (!node || node.IsNull()) {
    if (required) return Fail(At(path, key), "missing required key");
    return std::string();
  }
  if (!node.IsScalar()) return Fail(At(path, key), "must be a string");
  return node.Scalar();
}

Result<YAML::Node> YamlLoader::Sequence(const YAML::Node& parent, std::string_view key,
                                        const std::string& path, bool required) const {
  YAML::Node node = parent[std::string(key)];
  if (!node || node.IsNull()) {
    if (required) return Fail(At(path, key), "missing required key");
    return YAML::Node(YAML::NodeType::Sequence);
  }
  if (!node.IsSequence()) return Fail(At(path, key), "must be a list");
  return node;
}

std::string YamlLoader::At(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : fmt::format("{}.{}", path, key);
}

Result<std::string> ReadConfigFile(const std::string& path, std::string_view param) {
  std::ifstream in(path);
  if (!in) {
    return Error{ErrorCode::kBadRequest, fmt::format("{}: cannot be read", path),
                 std::string(param)};
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace nfmetrics::service
