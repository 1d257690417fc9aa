#include "gate.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

enum result
gate_open(struct gate *g, int n, int cap, struct errbuf *e)
{
	void *p;
	int i;

	memset(g, 0, sizeof(*g));
	if (n < 1 || cap < 1 || cap > n) {
		err_set(e, "gate: %d places for %d workers", cap, n);
		return ERR_INVALID;
	}
	p = mmap(NULL, (size_t)n * sizeof(atomic_int), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		err_set(e, "gate: mmap of %d slots: %s", n, strerror(errno));
		return ERR_NOMEM;
	}
	g->slots = p;
	g->n = n;
	g->cap = cap;
	for (i = 0; i < n; i++)
		atomic_init(&g->slots[i], 0);
	return OK;
}

void
gate_close(struct gate *g)
{
	if (g->slots != NULL)
		(void)munmap(g->slots, (size_t)g->n * sizeof(atomic_int));
	memset(g, 0, sizeof(*g));
}

int
gate_held(const struct gate *g)
{
	int i, held = 0;

	if (g == NULL || g->slots == NULL)
		return 0;
	for (i = 0; i < g->n; i++)
		held += atomic_load(&g->slots[i]) != 0;
	return held;
}

bool
gate_enter(struct gate *g, int slot)
{
	if (g == NULL || g->slots == NULL)
		return true;
	if (slot < 0 || slot >= g->n)
		return false;
	atomic_store(&g->slots[slot], 1);
	if (gate_held(g) <= g->cap)
		return true;
	atomic_store(&g->slots[slot], 0);
	return false;
}

bool
gate_enter_wait(struct gate *g, int slot, int wait_ms)
{
	const struct timespec step = { 0, 5 * 1000 * 1000 };
	int waited;

	for (waited = 0;; waited += 5) {
		if (gate_enter(g, slot))
			return true;
		if (waited >= wait_ms)
			return false;
		(void)nanosleep(&step, NULL);
	}
}

void
gate_leave(struct gate *g, int slot)
{
	if (g != NULL && g->slots != NULL && slot >= 0 && slot < g->n)
		atomic_store(&g->slots[slot], 0);
}
