# teepassd on Debian 12. Build: docker build -t teepass .
# The signing key is mounted read-only at run time (docker-compose.yml);
# .dockerignore keeps .run/, secrets/, keys and build folders out of the
# build context.
FROM debian:12 AS build
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y \
	--no-install-recommends build-essential cmake pkg-config \
	libmicrohttpd-dev libjansson-dev libssl-dev libcurl4-openssl-dev \
	libpq-dev libjwt-dev libcmocka-dev zlib1g-dev \
	&& rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	&& cmake --build /build -j"$(nproc)" --target teepassd teepass

FROM debian:12-slim
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y \
	--no-install-recommends libmicrohttpd12 libjansson4 libssl3 \
	libcurl4 libpq5 libjwt0 zlib1g curl ca-certificates \
	&& rm -rf /var/lib/apt/lists/* \
	&& useradd --system --uid 10001 --home /var/lib/teepass teepass
COPY --from=build /build/teepassd /build/teepass /usr/local/bin/
COPY config/teepass.conf.example /etc/teepass/teepass.conf.example
USER teepass
ENV TEEPASS_LISTEN=0.0.0.0:8080 \
	TEEPASS_SIGNING_KEY=/run/secrets/teepass_signing_key \
	TEEPASS_MIGRATE_ON_START=1
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
	CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
ENTRYPOINT ["/usr/local/bin/teepassd"]
