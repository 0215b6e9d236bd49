/* SPDX-License-Identifier: ISC */
/* FTP PORT/EPRT/227/229: parse and format the data endpoint. */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "ftp.h"

static bool
is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/* A decimal 0..max at @s[*i], at most 5 digits. */
static bool
num(const uint8_t *s, size_t len, size_t *i, unsigned int max,
    unsigned int *out)
{
	unsigned int v = 0, n = 0;

	while (*i < len && is_digit(s[*i]) && n < 6) {
		v = v * 10 + (unsigned int)(s[*i] - '0');
		(*i)++;
		n++;
	}
	if (n == 0 || n > 5 || v > max)
		return false;
	*out = v;
	return true;
}

/* h1,h2,h3,h4,p1,p2 at @s[*i]. */
static bool
six(const uint8_t *s, size_t len, size_t *i, uint32_t *addr, uint16_t *port)
{
	unsigned int v[6], k;
	uint32_t a;

	for (k = 0; k < 6; k++) {
		if (k > 0) {
			if (*i >= len || s[*i] != ',')
				return false;
			(*i)++;
		}
		if (!num(s, len, i, 255, &v[k]))
			return false;
	}
	a = (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 |
	    v[3];
	*addr = htonl(a);
	*port = (uint16_t)(v[4] << 8 | v[5]);
	return true;
}

/*
 * The end of the first line (index of '\r' or '\n'), or 0 if none. No
 * length limit of its own: a rewrite may lengthen the line, and the same
 * text must parse the same way before and after (fuzz_ftp found a 500-byte
 * 227 line that a limit made parse once and not again).
 */
static size_t
line_end(const uint8_t *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] == '\n' || s[i] == '\r')
			return i;
	return 0;
}

static bool
word_is(const uint8_t *s, size_t len, const char *w)
{
	size_t i, n = strlen(w);

	if (len < n)
		return false;
	for (i = 0; i < n; i++) {
		uint8_t c = s[i];

		if (c >= 'a' && c <= 'z')
			c = (uint8_t)(c - 'a' + 'A');
		if (c != (uint8_t)w[i])
			return false;
	}
	return true;
}

/* EPRT |1|a.b.c.d|port| with delimiter d (RFC 2428 2). */
static bool
eprt(const uint8_t *s, size_t end, size_t i, struct ftp_match *m)
{
	unsigned int v[4], port, k;
	size_t start = i;
	char d;

	if (i >= end)
		return false;
	d = (char)s[i];
	/* RFC 2428: any printable ASCII 33..126 except digits */
	if (d < 33 || d > 126 || is_digit((uint8_t)d))
		return false;
	i++;
	if (i + 2 > end || s[i] != '1' || s[i + 1] != (uint8_t)d)
		return false;	/* IPv4 only */
	i += 2;
	for (k = 0; k < 4; k++) {
		if (k > 0) {
			if (i >= end || s[i] != '.')
				return false;
			i++;
		}
		if (!num(s, end, &i, 255, &v[k]))
			return false;
	}
	if (i >= end || s[i] != (uint8_t)d)
		return false;
	i++;
	if (!num(s, end, &i, 65535, &port) || i >= end ||
	    s[i] != (uint8_t)d)
		return false;
	i++;
	m->kind = FTP_EPRT;
	m->delim = d;
	m->addr = htonl((uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 |
	    (uint32_t)v[2] << 8 | v[3]);
	m->port = (uint16_t)port;
	m->off = start;
	m->len = i - start;
	return true;
}

bool
ftp_parse(const uint8_t *data, size_t len, bool from_client,
    struct ftp_match *m)
{
	size_t end = line_end(data, len), i;
	unsigned int port;
	char d;

	memset(m, 0, sizeof(*m));
	if (end == 0)
		return false;
	if (from_client) {
		if (end > 5 && word_is(data, end, "PORT ")) {
			i = 5;
			while (i < end && data[i] == ' ')
				i++;
			m->off = i;
			if (!six(data, end, &i, &m->addr, &m->port))
				return false;
			m->kind = FTP_PORT;
			m->len = i - m->off;
			return true;
		}
		if (end > 5 && word_is(data, end, "EPRT "))
			return eprt(data, end, 5, m);
		return false;
	}
	if (end > 4 && memcmp(data, "227", 3) == 0 && data[3] == ' ') {
		/* the six numbers follow the first digit after the code */
		for (i = 4; i < end && !is_digit(data[i]); i++)
			;
		m->off = i;
		if (!six(data, end, &i, &m->addr, &m->port))
			return false;
		m->kind = FTP_227;
		m->len = i - m->off;
		return true;
	}
	if (end > 4 && memcmp(data, "229", 3) == 0 && data[3] == ' ') {
		/* (|||port|): three delimiters, the port, one more */
		for (i = 4; i < end && data[i] != '('; i++)
			;
		if (i + 1 >= end)
			return false;
		i++;
		m->off = i;
		d = (char)data[i];
		if (d < 33 || d > 126 || is_digit((uint8_t)d))
			return false;
		if (i + 3 > end || data[i + 1] != (uint8_t)d ||
		    data[i + 2] != (uint8_t)d)
			return false;
		i += 3;
		if (!num(data, end, &i, 65535, &port) || i >= end ||
		    data[i] != (uint8_t)d)
			return false;
		i++;
		m->kind = FTP_229;
		m->delim = d;
		m->port = (uint16_t)port;
		m->len = i - m->off;
		return true;
	}
	return false;
}

size_t
ftp_format(const struct ftp_match *m, uint32_t addr, uint16_t port,
    char out[FTP_ARG_MAX])
{
	uint32_t a = ntohl(addr);
	char buf[FTP_ARG_MAX + 8];
	int n;

	switch (m->kind) {
	case FTP_PORT:
	case FTP_227:
		n = snprintf(buf, sizeof(buf), "%u,%u,%u,%u,%u,%u", a >> 24,
		    (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff, port >> 8,
		    port & 0xff);
		break;
	case FTP_EPRT:
		n = snprintf(buf, sizeof(buf), "%c1%c%u.%u.%u.%u%c%u%c",
		    m->delim, m->delim, a >> 24, (a >> 16) & 0xff,
		    (a >> 8) & 0xff, a & 0xff, m->delim, port, m->delim);
		break;
	case FTP_229:
		n = snprintf(buf, sizeof(buf), "%c%c%c%u%c", m->delim,
		    m->delim, m->delim, port, m->delim);
		break;
	default:
		return 0;
	}
	if (n < 0 || n > FTP_ARG_MAX)
		return 0;
	memcpy(out, buf, (size_t)n);
	return (size_t)n;
}
