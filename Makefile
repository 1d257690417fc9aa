# Mustory track upload service.
#   make            build the programs (build/release/)
#   make SAN=1      build with ASan+UBSan and test hooks (build/san/)
#   make run        install what is missing, start the whole dev stack on loopback
#   make test       install what is missing, build (SAN=1), start a throwaway
#                   stack, run unit and integration tests, stop the stack
#   make migrate    apply schema.sql and pending migrations to $DATABASE_URL
#   make bench      benchmarks (bench/README.md)
#   make install    programs, sites, units, schema, docs under PREFIX
#                   (/usr/local) and DESTDIR; make uninstall removes them
#   make deb        mustory_$(VERSION)_amd64.deb into DEB_OUT (build/)

SAN ?= 0
ifeq ($(SAN),1)
B := build/san
else
B := build/release
endif

# The one place the version is written.
VERSION := $(shell cat VERSION)

CC ?= cc
PKGS := json-c libcurl openssl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -I$(shell pg_config --includedir 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpq -lm

OPT ?= -O2
CFLAGS ?= $(OPT) -g
WARN := -std=c11 -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes \
	-Wstrict-prototypes -Wformat=2 -Wno-format-nonliteral
CPPFLAGS += -D_GNU_SOURCE -Ilib -DMUSTORY_VERSION='"$(VERSION)"'
# The env file an installed build reads when nothing names one (make install
# and the Debian package: DEFAULT_ENV_FILE=/etc/mustory/env); empty for dev
# and test builds, so a machine's /etc/mustory/env never leaks into a test.
CPPFLAGS += -DMUSTORY_DEFAULT_ENV_FILE='"$(DEFAULT_ENV_FILE)"'
ifeq ($(SAN),1)
CFLAGS := -O1 -g -fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer -fno-sanitize-recover=undefined,float-cast-overflow
LDFLAGS += -fsanitize=address,undefined,float-cast-overflow
CPPFLAGS += -DUNITTEST
endif

LIB_SRCS := $(sort $(wildcard lib/*.c))
FCGI_SRCS := $(sort $(wildcard fcgi/*.c))
JOBS_SRCS := $(sort $(wildcard jobs/*.c))
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))

LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o)
FCGI_OBJS := $(FCGI_SRCS:%.c=$(B)/%.o)
JOBS_OBJS := $(JOBS_SRCS:%.c=$(B)/%.o)
# Everything but the two main()s, for unit tests.
TESTABLE_OBJS := $(LIB_OBJS) $(filter-out $(B)/fcgi/main.o,$(FCGI_OBJS)) \
	$(filter-out $(B)/jobs/main.o,$(JOBS_OBJS))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)

PROGS := $(B)/mustory-api $(B)/mustory-runner $(B)/mustory-token $(B)/mustory-admin \
	$(B)/mustory-upload
# mustory-upload's own modules (tools/upload_*.c): a client, not part of lib/.
UPLOAD_OBJS := $(patsubst %.c,$(B)/%.o,$(sort $(wildcard tools/upload_*.c)))

# Where `mustory-admin migrate` finds schema.sql and migrations/ without
# --dir: the installed copy for `make install` (release builds) and when
# PREFIX is given (make PREFIX=/usr, as the Debian package builds), else this
# tree (dev builds). Override with MIGRATE_DIR=... when building.
ifeq ($(origin PREFIX),command line)
MIGRATE_DIR ?= $(PREFIX)/share/mustory
else
MIGRATE_DIR ?= $(CURDIR)
endif

.PHONY: all unit-bins test unit run migrate deps bench clean format install uninstall deb
all: $(PROGS)

# -MMD: each object depends on exactly the headers it includes.
$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(WARN) $(CFLAGS) -MMD -MP -c -o $@ $<

-include $(shell find $(B) -name '*.d' 2>/dev/null)

# What the compiler is told from outside the sources: objects that use it
# are rebuilt when it changes.
$(B)/.env-default: FORCE
	@mkdir -p $(B)
	@echo '$(DEFAULT_ENV_FILE)' | cmp -s - $@ || echo '$(DEFAULT_ENV_FILE)' > $@
$(B)/lib/config.o $(B)/fcgi/main.o $(B)/jobs/main.o: $(B)/.env-default
$(B)/.migrate-dir: FORCE
	@mkdir -p $(B)
	@echo '$(MIGRATE_DIR)' | cmp -s - $@ || echo '$(MIGRATE_DIR)' > $@
$(B)/tools/mustory-admin.o: $(B)/.migrate-dir
$(B)/fcgi/main.o $(B)/fcgi/route_healthz.o $(B)/fcgi/route_metrics.o $(B)/jobs/main.o $(B)/tools/mustory-token.o $(B)/tools/mustory-upload.o $(B)/tools/mustory-admin.o: VERSION
.PHONY: FORCE
FORCE:

$(B)/mustory-api: $(FCGI_OBJS) $(LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/mustory-runner: $(JOBS_OBJS) $(LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/mustory-token: $(B)/tools/mustory-token.o $(LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/mustory-upload: $(B)/tools/mustory-upload.o $(UPLOAD_OBJS) $(LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/tools/mustory-admin.o: CPPFLAGS += -DMUSTORY_MIGRATE_DIR='"$(MIGRATE_DIR)"'
$(B)/mustory-admin: $(B)/tools/mustory-admin.o $(LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# Unit tests reach the programs' headers too.
$(B)/tests/unit/%.o: CPPFLAGS += -Ifcgi -Ijobs -Itools

# mustory-upload's modules are tested apart from the servers' objects.
$(B)/tests/test_upload: $(B)/tests/unit/test_upload.o $(UPLOAD_OBJS) $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lcmocka

$(B)/tests/%: $(B)/tests/unit/%.o $(TESTABLE_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lcmocka

unit-bins: $(UNIT_BINS)

# Unit tests alone (no stack needed).
unit: deps
	$(MAKE) SAN=1 all unit-bins
	scripts/run-unit.sh build/san/tests

test: deps
	$(MAKE) SAN=1 all unit-bins
	scripts/test.sh

run: deps
	$(MAKE) all
	scripts/stack.sh run

migrate:
	scripts/migrate.sh

deps:
	scripts/deps.sh

bench: deps
	$(MAKE) all
	bench/run.sh

format:
	clang-format -i lib/*.[ch] fcgi/*.[ch] jobs/*.[ch] tools/*.c tests/unit/*.c

clean:
	rm -rf build

# make install [PREFIX=/usr/local] [DESTDIR=] [SYSTEMDDIR=$(PREFIX)/lib/systemd/system]
# The units and sites name the installed paths (/usr/bin in the files).
PREFIX ?= /usr/local
BINDIR := $(PREFIX)/bin
SHAREDIR := $(PREFIX)/share/mustory
DOCDIR := $(PREFIX)/share/doc/mustory
SYSTEMDDIR ?= $(PREFIX)/lib/systemd/system
INSTALL ?= install
UNITS := $(notdir $(wildcard systemd/*.service systemd/*.socket systemd/*.timer))
SITES := $(notdir $(wildcard apache/*.conf))
DOCS := $(wildcard docs/*.md) $(wildcard docs/*.yaml)
# The web uploader and player (nginx: @WEB_ROOT@ = SHAREDIR/web); hls.js
# comes from npm (npm ci), so it is installed only when node_modules has it
# (@HLS_JS@ = SHAREDIR/web/vendor/hls.min.js).
WEB_FILES := $(wildcard web/*.html web/*.js web/*.css)
HLS_JS := node_modules/hls.js/dist/hls.min.js

# An installed build reads /etc/mustory/env when nothing names a file. Not
# a SAN=1 build: that one is the tests' (which name their env files), and
# must not change under them.
ifneq ($(SAN),1)
install: DEFAULT_ENV_FILE ?= /etc/mustory/env
install: MIGRATE_DIR = $(SHAREDIR)
endif
install: all
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SHAREDIR)/nginx \
		$(DESTDIR)$(SHAREDIR)/apache/errors $(DESTDIR)$(SHAREDIR)/migrations \
		$(DESTDIR)$(SYSTEMDDIR) $(DESTDIR)$(DOCDIR)/docs
	$(INSTALL) -m 0755 $(PROGS) $(DESTDIR)$(BINDIR)/
	$(INSTALL) -m 0644 nginx/mustory.conf $(DESTDIR)$(SHAREDIR)/nginx/
	$(INSTALL) -m 0644 $(addprefix apache/,$(SITES)) $(DESTDIR)$(SHAREDIR)/apache/
	$(INSTALL) -m 0644 apache/errors/*.json $(DESTDIR)$(SHAREDIR)/apache/errors/
	for u in $(UNITS); do \
		sed 's|/usr/bin/|$(BINDIR)/|g' systemd/$$u > $(DESTDIR)$(SYSTEMDDIR)/$$u && \
		chmod 0644 $(DESTDIR)$(SYSTEMDDIR)/$$u || exit 1; done
	$(INSTALL) -m 0644 schema.sql env.example $(DESTDIR)$(SHAREDIR)/
	$(if $(wildcard migrations/*.sql),$(INSTALL) -m 0644 migrations/*.sql $(DESTDIR)$(SHAREDIR)/migrations/)
	$(INSTALL) -m 0644 README.md $(DESTDIR)$(DOCDIR)/
	$(INSTALL) -m 0644 $(DOCS) $(DESTDIR)$(DOCDIR)/docs/
	$(INSTALL) -d $(DESTDIR)$(SHAREDIR)/web
	$(INSTALL) -m 0644 $(WEB_FILES) $(DESTDIR)$(SHAREDIR)/web/
	$(if $(wildcard $(HLS_JS)),$(INSTALL) -d $(DESTDIR)$(SHAREDIR)/web/vendor && \
		$(INSTALL) -m 0644 $(HLS_JS) $(DESTDIR)$(SHAREDIR)/web/vendor/)

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(PROGS)))
	rm -f $(addprefix $(DESTDIR)$(SYSTEMDDIR)/,$(UNITS))
	rm -rf $(DESTDIR)$(SHAREDIR) $(DESTDIR)$(DOCDIR)

# make deb [DEB_OUT=build]: the Debian package, built with debhelper
# (debian/) from a copy of the tree in DEB_OUT, then checked by lintian.
DEB_OUT ?= build
DEB_SRC = $(DEB_OUT)/deb-src/mustory-$(VERSION)
deb:
	@v=$$(dpkg-parsechangelog -S Version); [ "$$v" = "$(VERSION)" ] || \
		{ echo "deb: debian/changelog is at $$v, VERSION at $(VERSION): add a changelog entry" >&2; exit 1; }
	rm -rf $(DEB_OUT)/deb-src
	mkdir -p $(DEB_SRC)
	tar -c --exclude=./build --exclude=./.stack --exclude=./node_modules --exclude=./.git \
		--exclude='./$(DEB_OUT)' . | tar -x -C $(DEB_SRC)
	cd $(DEB_SRC) && DEB_BUILD_OPTIONS="parallel=$${DEB_JOBS:-2} noautodbgsym" dpkg-buildpackage -b -us -uc
	mv $(DEB_OUT)/deb-src/mustory_$(VERSION)_amd64.deb $(DEB_OUT)/
	rm -rf $(DEB_OUT)/deb-src
	lintian --fail-on error $(DEB_OUT)/mustory_$(VERSION)_amd64.deb
