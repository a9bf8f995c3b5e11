# nfmetrics container image: built on Debian 12 with the same packages as scripts/install-deps.sh,
# run as an unprivileged user on a slim Debian 12 with only the shared libraries the binary links.
#   docker build -t nfmetrics:0.1.0 .
#   docker run --rm -p 8080:8080 nfmetrics:0.1.0 serve --listen 0.0.0.0:8080 --insecure-listen \
#     --prometheus-url http://prometheus:9090
# See docs/deploy.md. The tag is the project version (CMakeLists.txt).

FROM debian:bookworm-slim AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      build-essential cmake ninja-build pkg-config \
      libboost1.81-dev libboost-url1.81-dev libboost-json1.81-dev libsimdjson-dev rapidjson-dev \
      libyaml-cpp-dev libcli11-dev libhowardhinnant-date-dev libspdlog-dev libfmt-dev zlib1g-dev \
      libssl-dev prometheus-cpp-dev libhiredis-dev libjwt-dev \
      nodejs npm ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The dashboard's npm packages first, so that a change to the C++ sources reuses this layer.
COPY web/package.json web/package-lock.json web/
RUN cd web && npm ci --no-audit --no-fund
COPY . .
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr/local \
      -DNFMETRICS_BUILD_TESTS=OFF -DNFMETRICS_BUILD_BENCH=OFF \
 && cmake --build /build -j "$(nproc)" --target nfmetrics \
 && DESTDIR=/staging cmake --install /build \
 && strip /staging/usr/local/bin/nfmetrics

FROM debian:bookworm-slim
# The runtime libraries of the binary (ldd, mapped to packages with dpkg -S); ca-certificates for
# https:// Prometheus URLs.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      libboost-url1.81.0 libfmt9 libhiredis0.14 libjwt0 libprometheus-cpp-core1.0 libsimdjson14 \
      libspdlog1.10 libssl3 libyaml-cpp0.7 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# The binary and /usr/local/etc/nfmetrics/config.yaml (the built-in catalog, as a starting point).
COPY --from=build /staging/usr/local/ /usr/local/
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/nfmetrics"]
# Without --auth-tokens a non-loopback address needs --insecure-listen: give tokens in production
# (docs/security.md). The Prometheus URL: --prometheus-url, or `url` in a --config file.
CMD ["serve", "--listen", "0.0.0.0:8080", "--insecure-listen"]
