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
SCRIPTS   = bin/osdownload
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

install: $(TOOLS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)
	install -m 755 $(TOOLS) $(wildcard $(SCRIPTS)) $(DESTDIR)$(BINDIR)
	$(if $(MANPAGES),install -m 644 $(MANPAGES) $(DESTDIR)$(MANDIR))

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(TOOLS) $(SCRIPTS)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/,$(notdir $(MANPAGES)))

clean:
	rm -f lib/*.o lib/libosdl.a $(TOOLS) $(UNITS)

.PHONY: all check asan check-asan install uninstall clean
.SECONDARY: $(LIB_OBJ)
