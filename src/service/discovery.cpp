#include "service/discovery.hpp"

#include "service/promql.hpp"

namespace nfmetrics::service {

prometheus::LabelValuesQuery ListingQuery(const ListingRequest& request) {
  std::vector<Matcher> matchers;
  std::string label;
  switch (request.what) {
    case Listing::kNamespaces:
      // Two selectors, the same as the MonoVertex and pipeline lists read: the engine answers the
      // union, and a namespace listed here always has something in one of those lists.
      return {"namespace",
              {"{" + RenderMatchers({{"__name__", true, "monovtx_.+"}}) + "}",
               "{" + RenderMatchers({{"__name__", true, "forwarder_.+|vertex_.+"}}) + "}"},
              request.start,
              request.end};
    case Listing::kMonoVertices:
    case Listing::kMonoVertexPods:
      matchers.push_back({"__name__", true, "monovtx_.+"});
      matchers.push_back({"namespace", false, request.ns->str()});
      label = "mvtx_name";
      if (request.what == Listing::kMonoVertexPods) {
        matchers.push_back({"mvtx_name", false, request.mvtx->str()});
        label = "pod";
      }
      break;
    case Listing::kPipelines:
    case Listing::kVertices:
    case Listing::kVertexPods:
      matchers.push_back(
          {"__name__", true,
           request.what == Listing::kVertexPods ? "forwarder_.+" : "forwarder_.+|vertex_.+"});
      matchers.push_back({"namespace", false, request.ns->str()});
      label = "pipeline";
      if (request.what != Listing::kPipelines) {
        matchers.push_back({"pipeline", false, request.pipeline->str()});
        label = "vertex";
      }
      if (request.what == Listing::kVertexPods) {
        matchers.push_back({"vertex", false, request.vertex->str()});
        label = "pod";
      }
      break;
  }
  return {label, {"{" + RenderMatchers(matchers) + "}"}, request.start, request.end};
}

std::vector<std::string> ListedValues(const ListingRequest& request,
                                      std::vector<std::string> values) {
  if (request.what != Listing::kMonoVertexPods) return values;
  const std::string daemon = request.mvtx->str() + "-mv-daemon-";
  std::erase_if(values, [&](const std::string& pod) { return pod.starts_with(daemon); });
  return values;
}

}  // namespace nfmetrics::service
