// Discovery lists: which namespaces, MonoVertices, pipelines, vertices and pods the engine has
// seen, for a UI's drop-downs. Built here, with every name validated and every matcher escaped.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "nfmetrics/core/result.hpp"
#include "nfmetrics/core/time.hpp"
#include "nfmetrics/service/k8s_names.hpp"
#include "nfmetrics/service/value_rules.hpp"

namespace nfmetrics::service {

enum class Listing {
  kNamespaces,  // every namespace with NumaFlow series; `ns` is not used
  kMonoVertices,
  kMonoVertexPods,
  kPipelines,
  kVertices,
  kVertexPods
};

struct ListingRequest {
  Listing what = Listing::kMonoVertices;
  std::optional<Namespace> ns;           // all but kNamespaces
  std::optional<MonoVertexName> mvtx;    // kMonoVertexPods
  std::optional<PipelineName> pipeline;  // kVertices, kVertexPods
  std::optional<VertexName> vertex;      // kVertexPods
  TimePoint start;
  TimePoint end;
};

// A listing as the client asked for it: the names its path gives (percent-decoded, not yet
// validated; those `what` needs) and its query parameters.
struct ListingParams {
  Listing what = Listing::kMonoVertices;
  std::string ns;
  std::string mvtx;
  std::string pipeline;
  std::string vertex;
  Params params;  // start and end, as the metric endpoints take them; the last hour by default
};

// Errors: kBadRequest naming the parameter (namespace, mvtx, pipeline, vertex, start, end, or one
// that is not accepted).
Result<ListingRequest> ParseListingRequest(const ListingParams& params, TimePoint now);

// The member an answer lists the values under: "namespaces", "mono_vertices", "pods", ...
std::string_view ListingKey(Listing what);

}  // namespace nfmetrics::service
