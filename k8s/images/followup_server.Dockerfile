# syntax=docker/dockerfile:1
# followup_server: the follow-up service (kommune.followup.v1), gRPC on 50053.
# Build from the repository root (the context is the whole project):
#   docker build -f k8s/images/followup_server.Dockerfile -t kommune/followup-server:dev .
# k8s/check.sh checks this file against the manifests and the binary: the
# target, entrypoint, port and user, and that the runtime packages bring
# every shared library the binary links (ldd).

# ---- build: Debian 12 with the packages the README's commands install
# (BUILD_PACKAGES of tools/lib/common.sh, by its own function), then cmake.
FROM debian:bookworm AS build
COPY tools/lib/common.sh /tmp/common.sh
RUN bash -c 'source /tmp/common.sh && install_missing_packages "${BUILD_PACKAGES[@]}"' \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY cmake/ cmake/
COPY proto/ proto/
COPY services/ services/
COPY gateway/ gateway/
COPY tools/ tools/
ENV CCACHE_BASEDIR=/src
RUN --mount=type=cache,target=/root/.cache/ccache \
    cmake -S . -B /build -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DKOMMUNE_BUILD_TESTS=OFF -DKOMMUNE_BUILD_BENCH=OFF >/dev/null \
 && cmake --build /build -j"$(nproc)" --target followup_server \
 && strip --strip-debug /build/bin/followup_server

# ---- run: Debian 12 slim with the runtime libraries only, as a non-root
# user (uid and gid 10001, the manifests' runAsUser and fsGroup).
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates tzdata libabsl20220623 libgrpc++1.51 libprotobuf32 \
      libpq5 libsqlite3-0 libssl3 libcsv3 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 kommune \
 && useradd --system --uid 10001 --gid kommune --no-create-home \
      --home-dir /nonexistent --shell /usr/sbin/nologin kommune
COPY --from=build /build/bin/followup_server /usr/local/bin/followup_server
USER 10001:10001
EXPOSE 50053
ENTRYPOINT ["/usr/local/bin/followup_server"]
