/* SPDX-License-Identifier: ISC */
/*
 * Fuzzer for the FTP helper's parser (ftp.c): the text of PORT, EPRT, 227
 * and 229 comes from whoever is on the other end of an FTP connection.
 * The first byte picks client commands (even) or server replies (odd),
 * the rest is a segment's payload. What ftp_parse() reports must lie
 * inside the input, and the argument ftp_format() writes for another
 * endpoint, put in its place, must parse back to that endpoint. (The
 * whole router path, with rewriting and sequence adjustment, is fuzzed by
 * fuzz_frame, whose router has the helpers on.)
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ftp.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[1024 + FTP_ARG_MAX];
	struct ftp_match m, m2;
	char text[FTP_ARG_MAX];
	bool client;
	size_t n, len;
	uint32_t addr = htonl(0xcb007100u | (size & 0xff));
	uint16_t port = (uint16_t)(size * 7919u);

	if (size < 1)
		return 0;
	client = (data[0] & 1) == 0;
	data++;
	size--;
	if (!ftp_parse(data, size, client, &m))
		return 0;
	if (m.off > size || m.len > size - m.off || m.len == 0 ||
	    m.kind == FTP_NONE) {
		fprintf(stderr, "fuzz_ftp: match %zu+%zu outside %zu bytes\n",
		    m.off, m.len, size);
		abort();
	}
	n = ftp_format(&m, addr, port, text);
	if (n == 0 || n > FTP_ARG_MAX)
		abort();
	if (size > 1024)
		return 0;
	/* splice as the helper does, and read it back */
	memcpy(buf, data, m.off);
	memcpy(buf + m.off, text, n);
	memcpy(buf + m.off + n, data + m.off + m.len, size - m.off - m.len);
	len = size - m.len + n;
	if (!ftp_parse(buf, len, client, &m2) || m2.kind != m.kind ||
	    m2.port != port || (m.kind != FTP_229 && m2.addr != addr)) {
		fprintf(stderr, "fuzz_ftp: rewritten text does not parse back\n");
		abort();
	}
	return 0;
}
