#include "http/handlers/handler.hpp"

#include "http/query_string.hpp"

namespace nfmetrics::http {

Status DecodeObjectNames(const PathParams& path, const ObjectNameSlots& slots) {
  const std::pair<std::string*, const char*> parts[] = {{slots.ns, "namespace"},
                                                        {slots.mvtx, "mvtx"},
                                                        {slots.pipeline, "pipeline"},
                                                        {slots.vertex, "vertex"}};
  for (const auto& [slot, param] : parts) {
    if (path.Get(param).empty()) continue;
    Result<std::string> segment = DecodePathSegment(path.Get(param), param);
    if (!segment.ok()) return std::move(segment).error();
    *slot = std::move(segment).value();
  }
  return Ok();
}

}  // namespace nfmetrics::http
