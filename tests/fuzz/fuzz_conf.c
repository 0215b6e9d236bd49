/* SPDX-License-Identifier: ISC */
/*
 * Fuzzer for the configuration: arbitrary bytes as a YAML file, through
 * libyaml, the section parsers and the RouterOS rule language, and freed
 * again. A load either succeeds with no error or fails with at least one.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "conf.h"
#include "log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_init("fuzz", LOG_TARGET_STDERR, LOG_LEVEL_ERR);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf_errors errs;
	struct config *conf;
	int i;

	conf = conf_load_buf("fuzz.yaml", (const char *)data, size, &errs);
	if ((conf == NULL) == (errs.n == 0)) {
		fprintf(stderr, "fuzz_conf: load %s with %d errors\n",
		    conf == NULL ? "failed" : "succeeded", errs.n);
		abort();
	}
	for (i = 0; i < errs.n; i++)
		if (errs.msgs[i] == NULL || errs.msgs[i][0] == '\0') {
			fprintf(stderr, "fuzz_conf: error %d is empty\n", i);
			abort();
		}
	if (conf != NULL) {
		if (conf->nifaces < 1 || conf->nifaces > CONF_MAX_IFACES ||
		    conf->nat == NULL || conf->filter == NULL) {
			fprintf(stderr, "fuzz_conf: inconsistent config\n");
			abort();
		}
		conf_free(conf);
	}
	conf_errors_free(&errs);
	return 0;
}
