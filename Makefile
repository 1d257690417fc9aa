# Mustory track upload service.
#   make            build the programs (build/release/)
#   make SAN=1      build with ASan+UBSan and test hooks (build/san/)
#   make run        install what is missing, start the whole dev stack on loopback
#   make test       install what is missing, build (SAN=1), start a throwaway
#                   stack, run unit and integration tests, stop the stack
#   make migrate    apply schema.sql and pending migrations to $DATABASE_URL
#   make bench      benchmarks (bench/README.md)

SAN ?= 0
ifeq ($(SAN),1)
B := build/san
else
B := build/release
endif

CC ?= cc
PKGS := json-c libcurl openssl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -I$(shell pg_config --includedir 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpq -lfcgi -lm

OPT ?= -O2
CFLAGS ?= $(OPT) -g
WARN := -std=c11 -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes \
	-Wstrict-prototypes -Wformat=2 -Wno-format-nonliteral
CPPFLAGS += -D_GNU_SOURCE -Ilib
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

PROGS := $(B)/mustory-api $(B)/mustory-runner $(B)/mustory-token $(B)/mustory-upload
# mustory-upload's own modules (tools/upload_*.c): a client, not part of lib/.
UPLOAD_OBJS := $(patsubst %.c,$(B)/%.o,$(sort $(wildcard tools/upload_*.c)))

.PHONY: all unit-bins test unit run migrate deps bench clean format
all: $(PROGS)

# -MMD: each object depends on exactly the headers it includes.
$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(WARN) $(CFLAGS) -MMD -MP -c -o $@ $<

-include $(shell find $(B) -name '*.d' 2>/dev/null)

$(B)/mustory-api: $(FCGI_OBJS) $(LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/mustory-runner: $(JOBS_OBJS) $(LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/mustory-token: $(B)/tools/mustory-token.o $(LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/mustory-upload: $(B)/tools/mustory-upload.o $(UPLOAD_OBJS) $(LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# Unit tests reach the programs' headers too.
$(B)/tests/unit/%.o: CPPFLAGS += -Ifcgi -Ijobs

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
