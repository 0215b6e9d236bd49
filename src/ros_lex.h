/* SPDX-License-Identifier: ISC */
/*
 * The RouterOS export as text: lines, sections and commands, in every
 * dialect the router prints or people paste: v6 and v7 `export`,
 * `export terse` (the section on every line), `export verbose` (`!key`
 * for unset properties), v7 path syntax (`/ip/firewall/nat/add ...`),
 * wrapped lines (a trailing backslash, the next line indented, inside
 * quoted strings too), `;` between commands, `#` comments after a
 * command, non-breaking spaces copied from a web page, and the escapes
 * of quoted strings (`\"`, `\\`, `\n`, `\_`, `\C3\A9` ...).
 *
 * The reader knows nothing of what a section means: it hands each command
 * (section path, verb, key=value words, with file positions) to a callback.
 */
#ifndef HAIRPIND_ROS_LEX_H
#define HAIRPIND_ROS_LEX_H

#include <stdbool.h>
#include <stddef.h>

#include "routeros.h"

#define ROS_PATH_MAX 128

struct ros_cmd {
	char path[ROS_PATH_MAX];	/* "/ip/firewall/nat"; "" before any */
	struct ros_pos path_pos;	/* where that section was named */
	const char *verb;		/* "add", "set", ...; "" for a line that
					   only names a section */
	struct ros_pos pos;		/* the verb, or the first word */
	struct ros_item *items;		/* key=value words */
	int nitems;
	struct ros_item *unset;		/* "!key" words (export verbose) */
	int nunset;
	const char *bare;		/* first other word ("[ find ]"), or NULL */
	struct ros_pos bare_pos;
	bool partial;			/* words were lost to syntax errors */
	int lines;			/* physical lines the command spans */
};

typedef void (*ros_cmd_fn)(void *arg, const struct ros_cmd *cmd);

/**
 * ros_export_read() - split @text into commands.
 * @map: byte offset in @text -> file position (NULL: line 1, col off+1)
 * @err: syntax errors (unterminated quote, ...), each with its position
 * @fn: called for every command, in order
 */
void ros_export_read(const char *text, ros_map_fn map, void *marg,
    ros_error_fn err, void *earg, ros_cmd_fn fn, void *arg);

/**
 * ros_line_read() - one rule written on one line, without a section:
 * `[add] key=value ...` (a `nat:` list item). The verb is "add".
 */
void ros_line_read(const char *text, ros_map_fn map, void *marg,
    ros_error_fn err, void *earg, ros_cmd_fn fn, void *arg);

/* ros_cmd_item() - the word @key of @c, or NULL. */
const struct ros_item *ros_cmd_item(const struct ros_cmd *c, const char *key);

/**
 * ros_cmd_keys() - every key of @c must be one of @keys (NULL-terminated);
 * each other one is reported through @err as `unknown key "K" in WHAT`
 * with a did-you-mean.
 * Return: true when all were known.
 */
bool ros_cmd_keys(const struct ros_cmd *c, const char *const *keys,
    const char *what, ros_error_fn err, void *arg);

#endif
