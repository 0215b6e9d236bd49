/* SPDX-License-Identifier: ISC */
/*
 * Replays fuzzer inputs without libFuzzer, so that `make check` (and its
 * sanitizer and valgrind runs) feeds every seed and every regression
 * input through the same harness: with no arguments, the files of
 * tests/fuzz/corpus/NAME and tests/fuzz/regress/NAME; else the files and
 * directories given.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_MAX_INPUT	(1 << 20)

static int replayed;

static int
replay_file(const char *path)
{
	static uint8_t data[REPLAY_MAX_INPUT];
	uint8_t *copy;
	size_t n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	n = fread(data, 1, sizeof(data), f);
	fclose(f);
	/* An exact-size copy, so ASan sees reads past the input's end. */
	copy = malloc(n > 0 ? n : 1);
	if (copy == NULL)
		return -1;
	memcpy(copy, data, n);
	LLVMFuzzerTestOneInput(copy, n);
	free(copy);
	replayed++;
	return 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file in @dir, in name order; a missing dir is empty. */
static int
replay_dir(const char *dir)
{
	char **names = NULL, path[4096];
	struct dirent *de;
	size_t n = 0, i;
	int rc = 0;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		if (names == NULL || (names[n] = strdup(de->d_name)) == NULL)
			abort();
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (replay_file(path) == -1)
			rc = -1;
		free(names[i]);
	}
	free(names);
	return rc;
}

static int
replay_path(const char *path)
{
	struct stat st;

	if (stat(path, &st) == -1) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return S_ISDIR(st.st_mode) ? replay_dir(path) : replay_file(path);
}

int
main(int argc, char **argv)
{
	const char *top = getenv("top_srcdir");
	char dir[4096];
	int i, rc = 0;

	LLVMFuzzerInitialize(&argc, &argv);
	if (argc > 1) {
		for (i = 1; i < argc; i++)
			if (replay_path(argv[i]) == -1)
				rc = 1;
	} else {
		if (top == NULL)
			top = TOP_SRCDIR;
		snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", top,
		    FUZZ_NAME);
		if (replay_dir(dir) == -1)
			rc = 1;
		snprintf(dir, sizeof(dir), "%s/tests/fuzz/regress/%s", top,
		    FUZZ_NAME);
		if (replay_dir(dir) == -1)
			rc = 1;
		if (replayed == 0) {
			fprintf(stderr, "replay %s: no inputs under %s/tests/"
			    "fuzz\n", FUZZ_NAME, top);
			rc = 1;
		}
	}
	printf("replay %s: %d inputs, no crash\n", FUZZ_NAME, replayed);
	return rc;
}
