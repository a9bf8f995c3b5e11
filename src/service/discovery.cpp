#include "nfmetrics/service/discovery.hpp"

#include <fmt/format.h>

#include "nfmetrics/service/promql.hpp"
#include "nfmetrics/service/time_range.hpp"
#include "service/listing_query.hpp"

namespace nfmetrics::service {

Result<ListingRequest> ParseListingRequest(const ListingParams& params, TimePoint now) {
  static constexpr std::string_view kAccepted[] = {"start", "end"};
  Result<SingleParams> given = CollectParams(params.params, kAccepted);
  if (!given.ok()) return std::move(given).error();
  auto find = [&](std::string_view key) { return ParamOf(*given, key); };
  ListingRequest request{.what = params.what};
  const Listing what = params.what;
  if (what != Listing::kNamespaces) {
    auto ns = ParseName<Namespace>(params.ns, "namespace");
    if (!ns.ok()) return std::move(ns).error();
    request.ns = std::move(ns).value();
  }
  if (what == Listing::kMonoVertexPods) {
    auto mvtx = ParseName<MonoVertexName>(params.mvtx, "mvtx");
    if (!mvtx.ok()) return std::move(mvtx).error();
    request.mvtx = std::move(mvtx).value();
  }
  if (what == Listing::kVertices || what == Listing::kVertexPods) {
    auto pipeline = ParseName<PipelineName>(params.pipeline, "pipeline");
    if (!pipeline.ok()) return std::move(pipeline).error();
    request.pipeline = std::move(pipeline).value();
  }
  if (what == Listing::kVertexPods) {
    auto vertex = ParseName<VertexName>(params.vertex, "vertex");
    if (!vertex.ok()) return std::move(vertex).error();
    request.vertex = std::move(vertex).value();
  }
  Result<TimeRange> range = ParseTimeRange({.start = find("start"), .end = find("end")}, now);
  if (!range.ok()) return std::move(range).error();
  request.start = range->start;
  request.end = range->end;
  return request;
}

std::string_view ListingKey(Listing what) {
  switch (what) {
    case Listing::kNamespaces:
      return "namespaces";
    case Listing::kMonoVertices:
      return "mono_vertices";
    case Listing::kPipelines:
      return "pipelines";
    case Listing::kVertices:
      return "vertices";
    case Listing::kMonoVertexPods:
    case Listing::kVertexPods:
      return "pods";
  }
  return "values";
}

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
