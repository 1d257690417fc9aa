#include "encslots.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>

static bool es_alive(pid_t pid);

static bool
es_alive(pid_t pid)
{
	return kill(pid, 0) == 0 || errno != ESRCH;
}

void
encslots_init(struct encslots *s, int cap)
{
	int i;

	if (cap < 1)
		cap = 1;
	if (cap > ENCSLOTS_MAX)
		cap = ENCSLOTS_MAX;
	s->cap = cap;
	for (i = 0; i < ENCSLOTS_MAX; i++)
		atomic_init(&s->holder[i], 0);
}

struct encslots *
encslots_create(int cap)
{
	void *p = mmap(NULL, sizeof(struct encslots), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	encslots_init(p, cap);
	return p;
}

void
encslots_destroy(struct encslots *s)
{
	if (s != NULL)
		(void)munmap(s, sizeof(*s));
}

int
encslots_take(struct encslots *s, int want, pid_t pid, bool (*alive)(pid_t))
{
	int i, got = 0, h;

	if (alive == NULL)
		alive = es_alive;
	/* first the free slots, then those whose holder is gone */
	for (i = 0; i < s->cap && got < want; i++) {
		h = 0;
		if (atomic_compare_exchange_strong(&s->holder[i], &h, (int)pid))
			got++;
	}
	for (i = 0; i < s->cap && got < want; i++) {
		h = atomic_load(&s->holder[i]);
		if (h == 0 || h == (int)pid || alive((pid_t)h))
			continue;
		if (atomic_compare_exchange_strong(&s->holder[i], &h, (int)pid))
			got++;
	}
	return got;
}

int
encslots_give(struct encslots *s, pid_t pid)
{
	int i, n = 0, h;

	for (i = 0; i < s->cap; i++) {
		h = (int)pid;
		if (atomic_compare_exchange_strong(&s->holder[i], &h, 0))
			n++;
	}
	return n;
}

int
encslots_used(struct encslots *s)
{
	int i, n = 0;

	for (i = 0; i < s->cap; i++)
		if (atomic_load(&s->holder[i]) != 0)
			n++;
	return n;
}
