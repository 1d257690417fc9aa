/*
 * gate.h: a cap on how many worker processes may be inside one kind of
 * call at once, shared by the processes a prefork supervisor forks (the
 * API's storage calls: slow storage must never hold every FastCGI worker).
 *
 * The supervisor creates the gate before it forks: one slot per worker in
 * an anonymous shared mapping (mmap MAP_SHARED|MAP_ANONYMOUS), each slot an
 * atomic flag written only by its worker. A count would leak when a worker
 * holding it is killed with -9; a slot does not: the supervisor clears a
 * dead worker's slot (gate_clear) before it starts the next one there.
 *
 * gate_enter raises the worker's flag, then counts the raised flags; over
 * the cap it lowers its flag again and refuses. With sequentially
 * consistent atomics two workers racing for the last place may both be
 * refused, never both let in.
 */
#ifndef MUSTORY_GATE_H
#define MUSTORY_GATE_H

#include <stdatomic.h>
#include <stdbool.h>

#include "result.h"

struct gate {
	atomic_int *slots; /* shared mapping of n flags; NULL: no gate (always enter) */
	int n;             /* slots, one per worker */
	int cap;           /* at most this many raised at once, 1..n */
};

/* Map n slots with a cap. ERR_NOMEM when the mapping fails. */
enum result gate_open(struct gate *g, int n, int cap, struct errbuf *e);

/* Unmap (in the process that opened it; a forked worker just exits). */
void gate_close(struct gate *g);

/* Take a place for worker slot; false when cap workers already hold one. */
bool gate_enter(struct gate *g, int slot);

/*
 * The same, waiting up to wait_ms for a place to come free (checked every
 * few milliseconds): fast calls through a full gate only queue briefly,
 * while slow ones make the caller give up after wait_ms, never after the
 * call's own timeout.
 */
bool gate_enter_wait(struct gate *g, int slot, int wait_ms);

/* Give the place back (a worker after its call, the supervisor for a dead one). */
void gate_leave(struct gate *g, int slot);

/* How many places are held now. */
int gate_held(const struct gate *g);

#endif
