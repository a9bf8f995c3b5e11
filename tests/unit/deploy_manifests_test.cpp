// The deployment files (deploy/kubernetes, deploy/systemd, Dockerfile) checked against each other,
// the project version, the install rules and the server itself: a port, path or name changed in one
// place and not the others fails here rather than in a cluster.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "nfmetrics/service/byte_size.hpp"
#include "nfmetrics/service/catalog.hpp"
#include "nfmetrics/service/duration.hpp"

namespace nfmetrics {
namespace {

namespace fs = std::filesystem;

const fs::path kSource = NFMETRICS_SOURCE_DIR;
const fs::path kKubernetes = kSource / "deploy" / "kubernetes";
// The prefix the systemd unit and the image are written for (cmake's default).
const std::string kDefaultPrefix = "/usr/local";
const std::string kInstalledBinary = kDefaultPrefix + "/" + NFMETRICS_INSTALL_BINDIR + "/nfmetrics";
const std::string kInstalledConfig =
    kDefaultPrefix + "/" + NFMETRICS_INSTALL_SYSCONFDIR + "/nfmetrics/config.yaml";
// serve's default --shutdown-grace: what the platform must wait for after SIGTERM.
constexpr int kShutdownGraceSeconds = 10;

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot read " << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

YAML::Node Manifest(const std::string& name) {
  return YAML::LoadFile((kKubernetes / name).string());
}

YAML::Node Container() {
  return Manifest("deployment.yaml")["spec"]["template"]["spec"]["containers"][0];
}

std::vector<std::string> Args(const YAML::Node& container) {
  std::vector<std::string> args;
  for (const auto& arg : container["args"]) args.push_back(arg.as<std::string>());
  return args;
}

// The value of `--flag value` or `--flag=value`.
std::optional<std::string> Flag(const std::vector<std::string>& args, const std::string& flag) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == flag && i + 1 < args.size()) return args[i + 1];
    if (args[i].starts_with(flag + "=")) return args[i].substr(flag.size() + 1);
  }
  return std::nullopt;
}

// A port given by number or by the name of one of the container's ports.
int ResolvePort(const YAML::Node& port, const YAML::Node& container) {
  if (int number = 0; YAML::convert<int>::decode(port, number)) return number;
  for (const auto& declared : container["ports"]) {
    if (declared["name"].as<std::string>() == port.as<std::string>()) {
      return declared["containerPort"].as<int>();
    }
  }
  ADD_FAILURE() << "no container port named " << port.as<std::string>();
  return -1;
}

// Kubernetes memory quantities as the manifests write them: 512Mi, 1Gi, 300M, bytes.
std::size_t QuantityBytes(const std::string& text) {
  const std::map<std::string, std::size_t> units = {{"Ki", 1ULL << 10}, {"Mi", 1ULL << 20},
                                                    {"Gi", 1ULL << 30}, {"k", 1000},
                                                    {"M", 1000 * 1000}, {"G", 1000 * 1000 * 1000}};
  std::size_t digits = text.find_first_not_of("0123456789");
  std::size_t number = std::stoull(text.substr(0, digits));
  if (digits == std::string::npos) return number;
  auto unit = units.find(text.substr(digits));
  EXPECT_NE(unit, units.end()) << "unknown quantity " << text;
  return unit == units.end() ? 0 : number * unit->second;
}

// The lines of a Dockerfile or unit file starting with `key` (an instruction or `Key=`), the rest
// of each line.
std::vector<std::string> LinesAfter(const std::string& text, const std::string& key) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(key)) out.push_back(line.substr(key.size()));
  }
  return out;
}

std::vector<std::string> Words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

TEST(DeployManifests, EveryManifestParsesAsAKubernetesObject) {
  int count = 0;
  for (const auto& entry : fs::recursive_directory_iterator(kKubernetes)) {
    if (entry.path().extension() != ".yaml") continue;
    ++count;
    YAML::Node node;
    ASSERT_NO_THROW(node = YAML::LoadFile(entry.path().string())) << entry.path();
    ASSERT_TRUE(node.IsMap()) << entry.path();
    EXPECT_TRUE(node["apiVersion"].IsScalar()) << entry.path();
    EXPECT_TRUE(node["kind"].IsScalar()) << entry.path();
    if (node["kind"].as<std::string>() != "Kustomization") {
      EXPECT_TRUE(node["metadata"]["name"].IsScalar()) << entry.path();
      EXPECT_EQ(node["metadata"]["namespace"].as<std::string>(""), "numaflow-system")
          << entry.path();
    }
  }
  EXPECT_GE(count, 6);
}

TEST(DeployManifests, TheKustomizationListsEveryManifest) {
  std::set<std::string> files;
  for (const auto& entry : fs::directory_iterator(kKubernetes)) {
    if (entry.path().extension() == ".yaml" && entry.path().filename() != "kustomization.yaml") {
      files.insert(entry.path().filename().string());
    }
  }
  std::set<std::string> listed;
  for (const auto& resource : Manifest("kustomization.yaml")["resources"]) {
    listed.insert(resource.as<std::string>());
  }
  EXPECT_EQ(listed, files);
  EXPECT_TRUE(listed.count("deployment.yaml"));
  // The ServiceMonitor needs the Prometheus Operator's CRD: it is in an overlay on top of the base.
  EXPECT_FALSE(listed.count("servicemonitor.yaml"));
  std::set<std::string> overlay;
  for (const auto& resource : Manifest("monitoring/kustomization.yaml")["resources"]) {
    overlay.insert(resource.as<std::string>());
  }
  EXPECT_EQ(overlay, (std::set<std::string>{"..", "servicemonitor.yaml"}));
  EXPECT_TRUE(fs::exists(kKubernetes / "monitoring" / "servicemonitor.yaml"));
}

TEST(DeployManifests, TheDeploymentRunsTheProjectVersionsImage) {
  YAML::Node deployment = Manifest("deployment.yaml");
  EXPECT_EQ(deployment["kind"].as<std::string>(), "Deployment");
  EXPECT_EQ(deployment["metadata"]["name"].as<std::string>(), "nfmetrics");
  EXPECT_EQ(deployment["spec"]["replicas"].as<int>(), 2);
  // A locally built image, tagged with the version: no registry host in front of it.
  EXPECT_EQ(Container()["image"].as<std::string>(), std::string("nfmetrics:") + NFMETRICS_VERSION);
  std::vector<std::string> args = Args(Container());
  ASSERT_FALSE(args.empty());
  EXPECT_EQ(args.front(), "serve");
}

TEST(DeployManifests, OnePortFromListenToServiceProbesAndImage) {
  YAML::Node container = Container();
  std::optional<std::string> listen = Flag(Args(container), "--listen");
  ASSERT_TRUE(listen.has_value());
  const int port = std::stoi(listen->substr(listen->rfind(':') + 1));
  EXPECT_EQ(port, 8080);
  // Not loopback: the kubelet and the Service reach the pod on its own address.
  EXPECT_EQ(listen->substr(0, listen->rfind(':')), "0.0.0.0");

  ASSERT_EQ(container["ports"].size(), 1u);
  EXPECT_EQ(container["ports"][0]["name"].as<std::string>(), "http");
  EXPECT_EQ(container["ports"][0]["containerPort"].as<int>(), port);
  EXPECT_EQ(ResolvePort(container["livenessProbe"]["httpGet"]["port"], container), port);
  EXPECT_EQ(ResolvePort(container["readinessProbe"]["httpGet"]["port"], container), port);

  YAML::Node service = Manifest("service.yaml");
  EXPECT_EQ(service["spec"]["type"].as<std::string>("ClusterIP"), "ClusterIP");
  ASSERT_EQ(service["spec"]["ports"].size(), 1u);
  EXPECT_EQ(service["spec"]["ports"][0]["name"].as<std::string>(), "http");
  EXPECT_EQ(service["spec"]["ports"][0]["port"].as<int>(), port);
  EXPECT_EQ(ResolvePort(service["spec"]["ports"][0]["targetPort"], container), port);

  std::vector<std::string> exposed = LinesAfter(ReadText(kSource / "Dockerfile"), "EXPOSE ");
  ASSERT_EQ(exposed.size(), 1u);
  EXPECT_EQ(exposed[0], std::to_string(port));
}

TEST(DeployManifests, ProbesAskHealthzAndReadyz) {
  YAML::Node container = Container();
  EXPECT_EQ(container["livenessProbe"]["httpGet"]["path"].as<std::string>(), "/healthz");
  EXPECT_EQ(container["readinessProbe"]["httpGet"]["path"].as<std::string>(), "/readyz");
}

TEST(DeployManifests, ThePodRunsAsNonRootOnAReadOnlyRootFilesystem) {
  YAML::Node pod = Manifest("deployment.yaml")["spec"]["template"]["spec"];
  YAML::Node security = Container()["securityContext"];
  EXPECT_TRUE(pod["securityContext"]["runAsNonRoot"].as<bool>(false) ||
              security["runAsNonRoot"].as<bool>(false));
  EXPECT_EQ(security["runAsUser"].as<int>(), 65532);
  EXPECT_TRUE(security["readOnlyRootFilesystem"].as<bool>(false));
  EXPECT_FALSE(security["allowPrivilegeEscalation"].as<bool>(true));
  ASSERT_TRUE(security["capabilities"]["drop"].IsSequence());
  EXPECT_EQ(security["capabilities"]["drop"][0].as<std::string>(), "ALL");
  EXPECT_EQ(security["seccompProfile"]["type"].as<std::string>(), "RuntimeDefault");
  // preStop keeps the pod serving while the endpoint removal spreads, then SIGTERM drains for
  // --shutdown-grace: the kubelet must wait for both before SIGKILL.
  const YAML::Node pre_stop = Container()["lifecycle"]["preStop"]["exec"]["command"];
  ASSERT_TRUE(pre_stop.IsSequence() && pre_stop.size() == 2);
  EXPECT_EQ(pre_stop[0].as<std::string>(), "/bin/sleep");
  const int pre_stop_seconds = pre_stop[1].as<int>();
  EXPECT_GT(pre_stop_seconds, 0);
  EXPECT_GT(pod["terminationGracePeriodSeconds"].as<int>(),
            pre_stop_seconds + kShutdownGraceSeconds);
}

TEST(DeployManifests, ResourcesAreRequestedAndTheCacheFitsInTheMemoryLimit) {
  YAML::Node resources = Container()["resources"];
  ASSERT_TRUE(resources["requests"]["cpu"].IsScalar());
  ASSERT_TRUE(resources["requests"]["memory"].IsScalar());
  ASSERT_TRUE(resources["limits"]["memory"].IsScalar());
  const std::size_t limit = QuantityBytes(resources["limits"]["memory"].as<std::string>());
  const std::size_t request = QuantityBytes(resources["requests"]["memory"].as<std::string>());
  EXPECT_LE(request, limit);
  // The cache is the bulk of the memory, but answers being built and connections need room too:
  // at most half the limit. Without the flag, serve's default applies.
  std::string cache = Flag(Args(Container()), "--cache-max-bytes").value_or("256MiB");
  Result<std::size_t> cache_bytes = service::ParseByteSize(cache);
  ASSERT_TRUE(cache_bytes.ok()) << cache;
  EXPECT_GT(*cache_bytes, 0u);
  EXPECT_LE(*cache_bytes * 2, limit) << cache << " against a limit of " << limit << " bytes";
}

TEST(DeployManifests, TheConfigMapIsMountedReadOnlyWhereConfigReadsIt) {
  YAML::Node container = Container();
  std::optional<std::string> config = Flag(Args(container), "--config");
  ASSERT_TRUE(config.has_value());
  const fs::path config_path(*config);

  YAML::Node configmap = Manifest("configmap.yaml");
  EXPECT_EQ(configmap["kind"].as<std::string>(), "ConfigMap");
  ASSERT_TRUE(configmap["data"][config_path.filename().string()].IsScalar())
      << "the ConfigMap has no key " << config_path.filename();

  std::optional<std::string> volume;
  for (const auto& mount : container["volumeMounts"]) {
    if (mount["mountPath"].as<std::string>() == config_path.parent_path().string()) {
      volume = mount["name"].as<std::string>();
      EXPECT_TRUE(mount["readOnly"].as<bool>(false));
    }
  }
  ASSERT_TRUE(volume.has_value()) << "nothing is mounted at " << config_path.parent_path();
  bool found = false;
  for (const auto& declared : Manifest("deployment.yaml")["spec"]["template"]["spec"]["volumes"]) {
    if (declared["name"].as<std::string>() != *volume) continue;
    found = true;
    EXPECT_EQ(declared["configMap"]["name"].as<std::string>(""),
              configmap["metadata"]["name"].as<std::string>());
  }
  EXPECT_TRUE(found) << "no volume " << *volume;
}

// The catalog's metrics, as (pattern, metric_name, friendly name) triples.
std::set<std::string> MetricsOf(const service::Catalog& catalog) {
  std::set<std::string> out;
  for (const auto& pattern : catalog.patterns()) {
    for (const auto& metric : pattern.metrics) {
      out.insert(pattern.name + "/" + metric.metric_name + "/" + metric.api_name);
    }
  }
  return out;
}

// The text without its `url:` line (or the commented one of config/metrics-proxy.yaml).
std::string WithoutUrl(const std::string& text) {
  std::istringstream in(text);
  std::string out;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("url:") || line.starts_with("# url:")) continue;
    out += line + "\n";
  }
  while (out.ends_with("\n\n")) out.pop_back();
  return out;
}

TEST(DeployManifests, TheConfigMapsCatalogLoadsWithAUrlAndTheBuiltInMetrics) {
  const std::string yaml = Manifest("configmap.yaml")["data"]["config.yaml"].as<std::string>();
  Result<service::Catalog> catalog = service::LoadCatalog(yaml, "configmap.yaml: config.yaml");
  ASSERT_TRUE(catalog.ok()) << catalog.error().message;
  ASSERT_TRUE(catalog->url().has_value()) << "serve would need --prometheus-url";
  EXPECT_TRUE(catalog->url()->starts_with("http://") || catalog->url()->starts_with("https://"))
      << *catalog->url();

  Result<service::Catalog> built_in =
      service::LoadCatalogFile((kSource / "config" / "metrics-proxy.yaml").string());
  ASSERT_TRUE(built_in.ok()) << built_in.error().message;
  EXPECT_FALSE(MetricsOf(*built_in).empty());
  EXPECT_EQ(MetricsOf(*catalog), MetricsOf(*built_in));
  // The same file, word for word, but for the url.
  EXPECT_EQ(WithoutUrl(yaml), WithoutUrl(ReadText(kSource / "config" / "metrics-proxy.yaml")));
}

TEST(DeployManifests, TheServiceMonitorScrapesTheServicesMetricsPort) {
  YAML::Node service = Manifest("service.yaml");
  YAML::Node monitor = Manifest("monitoring/servicemonitor.yaml");
  EXPECT_EQ(monitor["apiVersion"].as<std::string>(), "monitoring.coreos.com/v1");
  EXPECT_EQ(monitor["kind"].as<std::string>(), "ServiceMonitor");
  const YAML::Node selector = monitor["spec"]["selector"]["matchLabels"];
  ASSERT_TRUE(selector.IsMap() && selector.size() > 0);
  for (const auto& label : selector) {
    EXPECT_EQ(service["metadata"]["labels"][label.first.as<std::string>()].as<std::string>(""),
              label.second.as<std::string>())
        << "the Service lacks label " << label.first.as<std::string>();
  }
  ASSERT_EQ(monitor["spec"]["endpoints"].size(), 1u);
  EXPECT_EQ(monitor["spec"]["endpoints"][0]["port"].as<std::string>(),
            service["spec"]["ports"][0]["name"].as<std::string>());
  EXPECT_EQ(monitor["spec"]["endpoints"][0]["path"].as<std::string>(), "/metrics");
  // Without tokens /metrics is open; with them the scrape needs --metrics-auth=none (or a token).
  std::vector<std::string> args = Args(Container());
  if (Flag(args, "--auth-tokens")) {
    EXPECT_EQ(Flag(args, "--metrics-auth"), "none");
  }

  // And the Service selects the Deployment's pods.
  YAML::Node pod_labels = Manifest("deployment.yaml")["spec"]["template"]["metadata"]["labels"];
  for (const auto& label : service["spec"]["selector"]) {
    EXPECT_EQ(pod_labels[label.first.as<std::string>()].as<std::string>(""),
              label.second.as<std::string>());
  }
}

TEST(DeployDockerfile, BothStagesAreBookwormSlimAndTheImageRunsAsTheDeploymentsUser) {
  const std::string dockerfile = ReadText(kSource / "Dockerfile");
  std::vector<std::string> stages = LinesAfter(dockerfile, "FROM ");
  ASSERT_EQ(stages.size(), 2u);
  for (const std::string& stage : stages) EXPECT_EQ(Words(stage).at(0), "debian:bookworm-slim");
  std::vector<std::string> users = LinesAfter(dockerfile, "USER ");
  ASSERT_EQ(users.size(), 1u);
  const std::string uid = users[0].substr(0, users[0].find(':'));
  EXPECT_NE(uid, "0");
  EXPECT_NE(uid, "root");
  EXPECT_EQ(uid, std::to_string(Container()["securityContext"]["runAsUser"].as<int>()));
  std::vector<std::string> entrypoint = LinesAfter(dockerfile, "ENTRYPOINT ");
  ASSERT_EQ(entrypoint.size(), 1u);
  EXPECT_EQ(entrypoint[0], "[\"" + kInstalledBinary + "\"]");
}

TEST(DeploySystemd, ExecStartRunsTheInstalledBinaryWithTheInstalledConfig) {
  const std::string unit = ReadText(kSource / "deploy" / "systemd" / "nfmetrics.service");
  std::vector<std::string> exec_start = LinesAfter(unit, "ExecStart=");
  ASSERT_EQ(exec_start.size(), 1u);
  std::vector<std::string> words = Words(exec_start[0]);
  ASSERT_GE(words.size(), 2u);
  EXPECT_EQ(words[0], kInstalledBinary);
  EXPECT_EQ(words[1], "serve");
  EXPECT_EQ(Flag(words, "--config"), kInstalledConfig);
  for (const char* setting : {"DynamicUser=yes", "NoNewPrivileges=yes", "ProtectSystem=strict",
                              "ProtectHome=yes", "PrivateTmp=yes", "Restart=on-failure"}) {
    EXPECT_EQ(LinesAfter(unit, setting).size(), 1u) << setting;
  }
  std::vector<std::string> families = LinesAfter(unit, "RestrictAddressFamilies=");
  ASSERT_EQ(families.size(), 1u);
  EXPECT_EQ(families[0], "AF_INET AF_INET6 AF_UNIX");
  std::vector<std::string> stop = LinesAfter(unit, "TimeoutStopSec=");
  ASSERT_EQ(stop.size(), 1u);
  Result<Duration> timeout = service::ParseDuration(stop[0]);
  ASSERT_TRUE(timeout.ok()) << stop[0];
  EXPECT_GT(*timeout, std::chrono::seconds(kShutdownGraceSeconds));
}

}  // namespace
}  // namespace nfmetrics
