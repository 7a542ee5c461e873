# hwb: build, test, benchmark and demo. See README.md.
VERSION := 0.1.0

CC ?= cc
CLANG ?= clang
PYTHON := /usr/bin/python3

PKGS := libarchive openssl libcurl jansson libgit2 libseccomp libb2 libdeflate zlib
# Loaded on first use by pkg/core/lazy_*.c (dlopen), never linked: a start
# then relocates 10 libraries instead of 54.
LAZY_PKGS := libarchive libcurl libgit2
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(filter-out $(LAZY_PKGS),$(PKGS)) 2>/dev/null)
LIBS = $(PKG_LIBS) -lunistring -ldl -lpthread -lm

BASE_CFLAGS = -std=c11 -D_GNU_SOURCE -I. -Wall -Wextra -Werror \
	-DHWB_VERSION='"$(VERSION)"' $(PKG_CFLAGS)
REL_CFLAGS = $(BASE_CFLAGS) -O2 -g
SAN_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
ASAN_CFLAGS = $(BASE_CFLAGS) -O1 -g $(SAN_FLAGS)
# clang flags libseccomp's SCMP_A0() macros (three of four fields given).
FUZZ_CFLAGS = $(BASE_CFLAGS) -O1 -g -fsanitize=fuzzer-no-link,address,undefined \
	-fno-omit-frame-pointer -DHWB_FUZZING -Wno-missing-field-initializers

# One library of the packages (README.md, Layout): pkg/core (errors, JSON,
# TOML, configuration, HTTP, logging), pkg/wheel (hwb check), pkg/sandbox
# (run one command isolated), pkg/reqs (build requirements: locks,
# resolution, the environment cache), pkg/build (the PEP 517 frontend, hwb
# build and hwb lock), pkg/sign (Sigstore), pkg/tuf (the trusted root's
# updates), pkg/publish (uploads), pkg/doctor (hwb doctor).
PKG_SRC := $(sort $(wildcard pkg/*/*.c))
PKG_ASM := $(sort $(wildcard pkg/*/*.S))
CMD_SRC := $(sort $(wildcard cmd/hwb/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
TOOL_SRC := $(sort $(wildcard tests/tools/*.c))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))

LIB_OBJ = $(PKG_SRC:%.c=$(1)/%.o) $(PKG_ASM:%.S=$(1)/%.o)
REL_LIB := build/rel/libhwb.a
SAN_LIB := build/asan/libhwb.a
FUZZ_LIB := build/fuzz/libhwb.a
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=build/asan/tests/%)
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=build/asan/tools/%)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
FUZZ_SECONDS ?= 10
# Parallelism of make test: compilers, e2e workers (pytest-xdist), fuzzers.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

# hwb handles allocation failure, so tests let malloc return NULL.
export ASAN_OPTIONS ?= allocator_may_return_null=1:detect_leaks=1
export UBSAN_OPTIONS ?= print_stacktrace=1:halt_on_error=1

.PHONY: all deps test unit e2e fuzz fuzz-smoke bench demo clean tools install \
	deps-check
PREFIX ?= /usr/local
DESTDIR ?=
.DEFAULT_GOAL := all

all: hwb

hwb: $(CMD_SRC:%.c=build/rel/%.o) $(REL_LIB)
	$(CC) $(REL_CFLAGS) -o $@ $^ $(LIBS)

build/asan/hwb: $(CMD_SRC:%.c=build/asan/%.o) $(SAN_LIB)
	$(CC) $(ASAN_CFLAGS) -o $@ $^ $(LIBS)

$(REL_LIB): $(call LIB_OBJ,build/rel)
	rm -f $@ && ar rcs $@ $^
$(SAN_LIB): $(call LIB_OBJ,build/asan)
	rm -f $@ && ar rcs $@ $^
$(FUZZ_LIB): $(call LIB_OBJ,build/fuzz)
	rm -f $@ && ar rcs $@ $^

build/rel/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(REL_CFLAGS) -MMD -MP -c $< -o $@
build/asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_CFLAGS) -MMD -MP -c $< -o $@
build/fuzz/%.o: %.c
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@
build/rel/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) -I. -c $< -o $@
build/asan/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) -I. -c $< -o $@
build/fuzz/%.o: %.S
	@mkdir -p $(dir $@)
	$(CLANG) -I. -c $< -o $@

# .incbin is invisible to -MMD: the embedded trust roots and signing
# configs are listed here.
SIGN_ROOTS := pkg/sign/trust/production/trusted_root.json \
	pkg/sign/trust/staging/trusted_root.json \
	pkg/sign/trust/production/signing_config.v0.2.json \
	pkg/sign/trust/staging/signing_config.v0.2.json
build/rel/pkg/sign/trust.o build/asan/pkg/sign/trust.o build/fuzz/pkg/sign/trust.o: $(SIGN_ROOTS)
TUF_ROOTS := pkg/tuf/roots/production/root.json pkg/tuf/roots/staging/root.json
build/rel/pkg/tuf/roots.o build/asan/pkg/tuf/roots.o build/fuzz/pkg/tuf/roots.o: $(TUF_ROOTS)

# Programs compiled and linked in one step: DEPS writes their header
# dependencies to NAME.d beside them (read by the -include at the end).
# The .d files make headers prerequisites too: SRCS is what the compiler
# gets.
DEPS = -MMD -MP -MF $@.d -MT $@
SRCS = $(filter %.c %.o %.a,$^)

build/asan/tests/%: tests/unit/%.c $(SAN_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_CFLAGS) $(DEPS) $(shell pkg-config --cflags cmocka) -o $@ $(SRCS) \
		$(shell pkg-config --libs cmocka) $(LIBS)

# Test programs (toml-decoder, sandbox-run, ...) are built with the
# sanitizers too, into build/asan/tools/ (tests/e2e/conftest.py: TOOLS).
build/asan/tools/%: tests/tools/%.c $(SAN_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_CFLAGS) $(DEPS) -o $@ $(SRCS) $(LIBS)
tools: $(TOOL_BIN)

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB)
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) $(DEPS) -fsanitize=fuzzer -o $@ $(SRCS) $(LIBS)

# Installs what is missing: Debian packages (apt-get update once, then
# install) and the pinned npm test tools.
deps:
	@sh tests/deps.sh

# Everything is compiled first, in parallel; then the sandbox gate
# (tests/check-sandbox.sh), the unit tests, the e2e tests and the fuzzers,
# each phase on JOBS cores.
test: deps
	$(MAKE) -j$(JOBS) build/asan/hwb hwb $(TOOL_BIN) $(UNIT_BIN) $(FUZZ_BIN)
	@sh tests/check-sandbox.sh build/asan/tools/sandbox-run
	$(MAKE) -j1 deps-check unit e2e fuzz-smoke

# No include of another package's internal.h, no cycle between packages or
# between the files of pkg/sandbox, pkg/reqs and pkg/build
# (tests/tools/deps_check.py).
deps-check: $(SAN_LIB)
	$(PYTHON) tests/tools/deps_check.py build/asan

unit: $(UNIT_BIN)
	@sh tests/run-unit.sh $(UNIT_BIN)

# The e2e tests run on JOBS pytest-xdist workers (a file's tests on one
# worker, each worker with its own Sigstore stack and indexes); the tests
# marked serial (memory bounds, SIGKILL timing, podman: load-sensitive)
# run after them, alone.
E2E_PYTEST = HWB_BIN=$(CURDIR)/build/asan/hwb HWB_ROOT=$(CURDIR) \
	$(PYTHON) -m pytest -q -p no:cacheprovider
e2e: build/asan/hwb hwb $(TOOL_BIN)
	$(E2E_PYTEST) -n $(JOBS) --dist loadfile -m "not serial" tests/e2e
	$(E2E_PYTEST) -m serial tests/e2e

fuzz-smoke: $(FUZZ_BIN)
	@sh tests/run-fuzz.sh $(FUZZ_SECONDS) $(JOBS) $(FUZZ_BIN)

fuzz: $(FUZZ_BIN)
	@sh tests/run-fuzz.sh 600 $(JOBS) $(FUZZ_BIN)

# Release builds of the programs the benchmarks time: test programs
# (build/asan/tools/ has them with the sanitizers) and check_floor, the least
# time the check's arithmetic takes here (bench_check.py).
BENCH_TOOLS := build/rel/tools/sandbox-run build/rel/tools/env-prepare \
	build/rel/tools/check-floor
build/rel/tools/%: tests/tools/%.c $(REL_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(REL_CFLAGS) $(DEPS) -o $@ $(SRCS) $(LIBS)
build/rel/tools/check-floor: tests/bench/check_floor.c $(REL_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(REL_CFLAGS) $(DEPS) -o $@ $(SRCS) $(LIBS)

bench: deps hwb $(BENCH_TOOLS)
	$(PYTHON) tests/bench/run.py $(BENCH)

demo: deps hwb
	sh tests/demo.sh

# The release binary into $(DESTDIR)$(PREFIX)/bin (a staged install for
# packaging with DESTDIR). Its run-time libraries: README.md, Installing.
install: hwb
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 hwb $(DESTDIR)$(PREFIX)/bin/hwb

clean:
	rm -rf build hwb

-include $(shell find build -name '*.d' 2>/dev/null)

# hwb's PEP 517 hook runner is embedded with .incbin: rebuild when it changes.
$(foreach d,rel asan fuzz,build/$(d)/pkg/build/hook_runner.o): pkg/build/hook_runner.py
