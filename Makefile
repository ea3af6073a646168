# osdl: lib/libosdl.a, then one binary per tool in bin/.
# Every lib/*.c goes into the library and every bin/*.c is one tool, so adding
# a module or a tool needs no edit here.

PREFIX   ?= /usr/local
DESTDIR  ?=
BINDIR    = $(PREFIX)/bin
MANDIR    = $(PREFIX)/share/man/man1

CC       ?= cc
PKGS      = libcurl yajl liblz4 libzstd
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lcurl -lyajl -llz4 -lzstd)

OPT      ?= -O2
CFLAGS   ?= $(OPT) -g
CFLAGS   += -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wno-unused-parameter -D_GNU_SOURCE -Ilib $(PKG_CFLAGS)
LDLIBS   += $(PKG_LIBS) -lm

# SAN=1 builds everything with AddressSanitizer and UBSan (make asan / make check-asan).
ifeq ($(SAN),1)
CFLAGS   += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS  += -fsanitize=address,undefined
endif

LIB_SRC   = $(sort $(wildcard lib/*.c))
LIB_OBJ   = $(LIB_SRC:.c=.o)
TOOLS     = $(patsubst %.c,%,$(sort $(wildcard bin/*.c)))
SCRIPTS   = bin/osdownload bin/osdownload-common bin/osdownload-job bin/osdownload-info \
            bin/osdownload-options bin/osdownload-progress \
            bin/osdownload-hosts
UNIT_SRC  = $(sort $(wildcard tests/unit/*.c))
UNITS     = $(UNIT_SRC:.c=)
MANPAGES  = $(sort $(wildcard docs/*.1))

all: $(TOOLS) $(UNITS)

lib/libosdl.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

lib/%.o: lib/%.c $(wildcard lib/*.h)
	$(CC) $(CFLAGS) -c -o $@ $<

bin/%: bin/%.c lib/libosdl.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< lib/libosdl.a $(LDLIBS)

tests/unit/%: tests/unit/%.c tests/unit/unit.h lib/libosdl.a
	$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< lib/libosdl.a $(LDLIBS)

# The full suite: unit tests, tool tables, integration against a real OpenSearch
# (started here unless OS_URL names one), then all of it again built with
# ASan/UBSan in a copy of the tree (OSDL_ASAN=0 skips that).  Ends with
# "N passed, N failed".
check: all
	OSDL_ASAN=$${OSDL_ASAN:-1} tests/run

# Rebuilds this tree with ASan/UBSan (make clean && make to go back).
asan:
	$(MAKE) clean
	$(MAKE) SAN=1 all

check-asan: asan
	OSDL_ASAN=0 tests/run

# libFuzzer targets (tests/fuzz/NAME.c, seeds in tests/fuzz/NAME/), built with
# clang, ASan and UBSan into build/fuzz/ beside the normal build.  make fuzz
# runs each FUZZ_SECONDS (default 60); make check runs a 5 s smoke of each
# (tests/fuzz_smoke.sh).
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_DIR      = build/fuzz
FUZZ_CFLAGS   = -g -O1 -std=gnu11 -Wall -Wextra -Wno-unused-parameter -D_GNU_SOURCE -Ilib $(PKG_CFLAGS) \
                -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_SRC      = $(sort $(wildcard tests/fuzz/*.c))
FUZZ_BINS     = $(patsubst tests/fuzz/%.c,$(FUZZ_DIR)/%,$(FUZZ_SRC))
FUZZ_OBJ      = $(patsubst lib/%.c,$(FUZZ_DIR)/lib/%.o,$(LIB_SRC))

$(FUZZ_DIR)/lib/%.o: lib/%.c $(wildcard lib/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_DIR)/libosdl.a: $(FUZZ_OBJ)
	$(AR) rcs $@ $^

$(FUZZ_DIR)/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(FUZZ_DIR)/libosdl.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Itests/fuzz -fsanitize=fuzzer -o $@ $< $(FUZZ_DIR)/libosdl.a $(LDLIBS)

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	tests/fuzz/run $(FUZZ_SECONDS) $(FUZZ_BINS)

install: $(TOOLS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)
	install -m 755 $(TOOLS) $(wildcard $(SCRIPTS)) $(DESTDIR)$(BINDIR)
	$(if $(MANPAGES),install -m 644 $(MANPAGES) $(DESTDIR)$(MANDIR))

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(TOOLS) $(SCRIPTS)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/,$(notdir $(MANPAGES)))

clean:
	rm -f lib/*.o lib/libosdl.a $(TOOLS) $(UNITS)
	rm -rf build

.PHONY: all check asan check-asan fuzz fuzz-build install uninstall clean
.SECONDARY: $(LIB_OBJ) $(FUZZ_OBJ)
