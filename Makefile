# c2scope: thin wrapper over CMake presets. `make demo` and `make test` install what is missing first.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
APT_PACKAGES := g++ cmake ninja-build pkg-config libpcap-dev zlib1g-dev libzstd-dev libssl-dev libfmt-dev \
  libcli11-dev libsimdjson-dev libmaxminddb-dev libnghttp2-dev libpsl-dev libgtest-dev libgmock-dev libbenchmark-dev clang \
  libclang-rt-14-dev clang-format clang-tidy python3 tshark libndpi-bin nfdump iproute2 tcpdump time
BIN := build/release/c2scope
# Extra CMake cache settings, e.g. CMAKE_EXTRA=-DC2SCOPE_WERROR=ON (CI).
CMAKE_EXTRA ?=

.PHONY: all deps build release debug asan fuzz bench test unit demo clean format format-check tidy

all: build

# Installs only the Debian packages that are missing, then the country/AS data (data/geo); a no-op when
# everything is there.
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	else echo "make deps: all packages present"; fi
	@# Default attribution data (pinned @ip-location-db npm packages) into data/geo; offline when present.
	@./scripts/fetch_geo_data.sh

build release: deps
	cmake --preset release $(CMAKE_EXTRA) >/dev/null
	cmake --build --preset release -j $(JOBS)

debug: deps
	cmake --preset debug $(CMAKE_EXTRA) >/dev/null
	cmake --build --preset debug -j $(JOBS)

# Unit and golden tests of the release build.
test: build
	cd build/release && ctest --output-on-failure -j $(JOBS)

# The whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer.
asan: deps
	cmake --preset asan $(CMAKE_EXTRA) >/dev/null
	cmake --build --preset asan -j $(JOBS)
	cd build/asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS)

# libFuzzer targets (clang); `make fuzz FUZZ_SECONDS=60` runs each target that long over its corpus.
FUZZ_SECONDS ?= 30
fuzz: deps
	cmake --preset fuzz $(CMAKE_EXTRA) >/dev/null
	cmake --build --preset fuzz -j $(JOBS)
	FUZZ_SECONDS=$(FUZZ_SECONDS) ./fuzz/run_all.sh build/fuzz

bench: build
	./bench/run_bench.sh

demo: build
	./scripts/demo.sh

format:
	find src tests fuzz bench -name '*.cpp' -o -name '*.hpp' | xargs clang-format -i

# Fails when a source file is not formatted as .clang-format says (CI runs it).
format-check:
	find src tests fuzz bench -name '*.cpp' -o -name '*.hpp' | xargs clang-format --dry-run --Werror

tidy: build
	find src -name '*.cpp' | xargs clang-tidy -p build/release --quiet

clean:
	rm -rf build
