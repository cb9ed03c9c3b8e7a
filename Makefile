# The two commands of the README: `make run` and `make test`. Everything else is a step of those.
BUILD_DIR    ?= build
ASAN_DIR     ?= build-asan
TSAN_DIR     ?= build-tsan
FUZZ_DIR     ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TEST_SECONDS ?= 3
CMAKE_FLAGS  ?=
JOBS         ?= $(shell nproc)

# ccache: share hits between build folders (build, build-asan, helpers' own).
export CCACHE_NOHASHDIR := true
export CCACHE_BASEDIR := $(CURDIR)

.PHONY: all setup build run test test-fast test-sanitize test-tsan soak bench format tidy clean
.PHONY: fuzz fuzz-build test-fuzz crash-trials disk-full-trials

all: build

setup:
	@scripts/setup.sh

$(BUILD_DIR)/build.ninja: CMakeLists.txt | setup
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

build: setup $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	./$(BUILD_DIR)/deploystack serve

# Every test: the normal build, the same tests under AddressSanitizer + UBSan, a short run of
# every fuzz target, the crash trials and the disk-full trials.
test: test-fast test-sanitize test-fuzz crash-trials disk-full-trials

test-fast: build
	@scripts/setup-test-peers.sh
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) --timeout 300

test-sanitize: setup
	@scripts/setup-test-peers.sh
	cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DDS_SANITIZE=ON -DDS_BUILD_BENCH=OFF $(CMAKE_FLAGS)
	cmake --build $(ASAN_DIR) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(ASAN_DIR) --output-on-failure -j $(JOBS) --timeout 600

# The same tests under ThreadSanitizer (its own folder: it cannot be combined with ASan). Run it
# before each release: its cold build (~13 min of CPU) would push `make test` past 30 minutes on
# a 2-core CI machine.
test-tsan: setup
	@scripts/setup-test-peers.sh
	cmake -S . -B $(TSAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDS_SANITIZE_THREAD=ON -DDS_BUILD_BENCH=OFF $(CMAKE_FLAGS)
	cmake --build $(TSAN_DIR) -j $(JOBS)
	TSAN_OPTIONS=halt_on_error=0:second_deadlock_stack=1 \
	  ctest --test-dir $(TSAN_DIR) --output-on-failure -j $(JOBS) --timeout 900

# Mixed load for SOAK_SECONDS (default 60) on SQLite and on Turso with an outage; not in CI.
soak: build
	@scripts/setup-test-peers.sh
	@scripts/soak.sh $(BUILD_DIR)

bench: build
	@scripts/setup-test-peers.sh
	@scripts/bench.sh $(BUILD_DIR)
	@scripts/bench-writes.sh $(BUILD_DIR) $(BENCH_BASELINE)
	./$(BUILD_DIR)/bench/query_bench --benchmark_min_time=0.5
	./$(BUILD_DIR)/bench/metrics_bench --benchmark_min_time=0.5
	@if [ -n "$(BENCH_BASELINE)" ]; then scripts/bench-metrics.sh $(BUILD_DIR) $(BENCH_BASELINE); \
	  else echo "bench: metrics against a baseline needs BENCH_BASELINE=<build of an older commit>"; fi
	@bench/migrate_bench.sh $(BUILD_DIR)
	@scripts/bench-turso-stream.sh $(BUILD_DIR)

format:
	find src tests bench -name '*.[ch]pp' | xargs clang-format -i

tidy: build
	find src -name '*.cpp' | xargs clang-tidy -p $(BUILD_DIR) --quiet

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(TSAN_DIR) $(FUZZ_DIR)

# libFuzzer harnesses (fuzz/): clang, ASan+UBSan, their own build folder. `make fuzz` runs each
# for FUZZ_SECONDS; `make test` runs each for FUZZ_TEST_SECONDS so they keep building and green.
fuzz-build: setup
	CXX=clang++ cmake -S fuzz -B $(FUZZ_DIR) -G Ninja
	cmake --build $(FUZZ_DIR) -j $(JOBS)

fuzz: fuzz-build
	@scripts/fuzz.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

test-fuzz: fuzz-build
	@scripts/fuzz.sh $(FUZZ_DIR) $(FUZZ_TEST_SECONDS)

# Kills setup, a migration and a plugin migration at every fsync/fdatasync/rename/write/pwrite64
# they reach, and checks what is left (scripts/crash-trials.sh).
crash-trials: build
	@scripts/crash-trials.sh $(BUILD_DIR)

# Setup, a settings write, a project insert and `db up` on a real full disk (a small tmpfs in a
# private mount namespace), at every free-space level they reach (scripts/disk-full-trials.sh).
disk-full-trials: build
	@scripts/disk-full-trials.sh $(BUILD_DIR)
