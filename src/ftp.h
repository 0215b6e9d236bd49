/* SPDX-License-Identifier: ISC */
/*
 * The FTP commands and replies that carry a data connection's endpoint
 * (RFC 959 PORT and 227, RFC 2428 EPRT and 229), found in one TCP
 * segment's payload and written back with another endpoint. Pure text
 * functions on attacker-controlled bytes: bounded, no allocation, fuzzed
 * (tests/fuzz/fuzz_ftp.c).
 */
#ifndef HAIRPIND_FTP_H
#define HAIRPIND_FTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ftp_kind {
	FTP_NONE,
	FTP_PORT,	/* client: PORT h1,h2,h3,h4,p1,p2 */
	FTP_EPRT,	/* client: EPRT |1|a.b.c.d|port| */
	FTP_227,	/* server: 227 ... (h1,h2,h3,h4,p1,p2) */
	FTP_229,	/* server: 229 ... (|||port|) */
};

/* What ftp_parse() found: the endpoint and where its text sits. */
struct ftp_match {
	enum ftp_kind kind;
	uint32_t addr;		/* network order; 0 for 229 */
	uint16_t port;		/* host order */
	size_t off, len;	/* the bytes to replace (the whole argument) */
	char delim;		/* EPRT/229 delimiter */
};

/* The longest text ftp_format() writes. */
#define FTP_ARG_MAX	32

/**
 * ftp_parse() - look for an endpoint at the start of a segment.
 * @from_client: look for PORT/EPRT (true) or 227/229 (false)
 * Return: true and @m filled when a whole, valid line is there.
 */
bool ftp_parse(const uint8_t *data, size_t len, bool from_client,
    struct ftp_match *m);

/**
 * ftp_format() - the argument text of @m's kind for @addr:@port.
 * Return: its length (<= FTP_ARG_MAX), written to @out without a NUL.
 */
size_t ftp_format(const struct ftp_match *m, uint32_t addr, uint16_t port,
    char out[FTP_ARG_MAX]);

#endif
