/* SPDX-License-Identifier: ISC */
/* Interned names of address lists and marks: name <-> small id. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "xmalloc.h"

struct names_tab {
	char *names[NAMES_MAX + 1];	/* [0] unused */
	uint16_t n;
};

static struct names_tab names_tabs[NAMES_KIND_COUNT];
static pthread_mutex_t names_lock = PTHREAD_MUTEX_INITIALIZER;

static uint16_t
names_lookup(const struct names_tab *t, const char *name)
{
	uint16_t i;

	/* Configs name a handful of lists and marks: a scan is enough. */
	for (i = 1; i <= t->n; i++)
		if (strcmp(t->names[i], name) == 0)
			return i;
	return 0;
}

uint16_t
names_intern(enum names_kind kind, const char *name)
{
	struct names_tab *t = &names_tabs[kind];
	uint16_t id;

	pthread_mutex_lock(&names_lock);
	id = names_lookup(t, name);
	if (id == 0 && t->n < NAMES_MAX) {
		id = ++t->n;
		t->names[id] = xstrdup(name);
	}
	pthread_mutex_unlock(&names_lock);
	return id;
}

uint16_t
names_find(enum names_kind kind, const char *name)
{
	uint16_t id;

	pthread_mutex_lock(&names_lock);
	id = names_lookup(&names_tabs[kind], name);
	pthread_mutex_unlock(&names_lock);
	return id;
}

const char *
names_str(enum names_kind kind, uint16_t id)
{
	const char *s = NULL;

	pthread_mutex_lock(&names_lock);
	if (id >= 1 && id <= names_tabs[kind].n)
		s = names_tabs[kind].names[id];
	pthread_mutex_unlock(&names_lock);
	return s;
}

uint16_t
names_count(enum names_kind kind)
{
	uint16_t n;

	pthread_mutex_lock(&names_lock);
	n = names_tabs[kind].n;
	pthread_mutex_unlock(&names_lock);
	return n;
}
