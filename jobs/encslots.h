/*
 * encslots.h: the encoder processes a runner may have at once, shared by
 * all of its worker processes (--concurrency N). One page of shared memory
 * (mmap MAP_SHARED|MAP_ANONYMOUS, made by the runner before it forks its
 * workers) holds a slot per allowed encoder; a slot holds the pid of the
 * worker using it, or 0. A slot array with atomics rather than a
 * process-shared sem_t: a worker killed -9 cannot give back what it took
 * from a semaphore, so the count would shrink for ever; a slot whose holder
 * is gone (kill(pid, 0) says ESRCH) is simply taken over.
 */
#ifndef MUSTORY_JOBS_ENCSLOTS_H
#define MUSTORY_JOBS_ENCSLOTS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <sys/types.h>

#define ENCSLOTS_MAX 64

struct encslots {
	int cap;                        /* slots in use: 1..ENCSLOTS_MAX */
	_Atomic int holder[ENCSLOTS_MAX]; /* pid of the worker using it, 0 = free */
};

/* cap slots in a fresh shared page, all free; NULL when mmap fails. */
struct encslots *encslots_create(int cap);
void encslots_destroy(struct encslots *s);

/* Pure (for tests): cap free slots in caller's memory. */
void encslots_init(struct encslots *s, int cap);

/*
 * Take up to want free slots for pid (a slot whose holder alive() denies
 * is free too; alive NULL = kill(pid, 0)). Returns how many it took, 0 when
 * none was free: the caller waits and asks again.
 */
int encslots_take(struct encslots *s, int want, pid_t pid, bool (*alive)(pid_t));

/* Give back every slot pid holds; returns how many. */
int encslots_give(struct encslots *s, pid_t pid);

/* Slots held now (by anyone). */
int encslots_used(struct encslots *s);

#endif
