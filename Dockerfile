# syntax=docker/dockerfile:1
FROM rust:1-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY migrations ./migrations
COPY config ./config
COPY web ./web
RUN cargo build --release --locked --bin examd && strip target/release/examd

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data examd \
    && mkdir -p /data && chown examd /data
COPY --from=build /src/target/release/examd /usr/local/bin/examd
USER examd
WORKDIR /data
ENV EXAMD_BIND=0.0.0.0:8080 \
    EXAMD_DATABASE_URL=/data/examd.db \
    EXAMD_DATA_DIR=/data \
    EXAMD_LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["examd"]
CMD ["serve"]
