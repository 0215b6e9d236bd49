/* SPDX-License-Identifier: ISC */
/*
 * The RouterOS rule language: `key=value` lines, pasted `/ip firewall`
 * exports, and the builder that turns their words into a struct ruleset.
 *
 * The builder knows nothing of YAML: conf.c hands it words together with
 * the file positions they came from, and receives every error through a
 * callback, so errors in a block scalar still point into the file.
 */
#ifndef HAIRPIND_ROUTEROS_H
#define HAIRPIND_ROUTEROS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rule.h"

enum ros_table {
	ROS_NAT,		/* nat:, /ip firewall nat */
	ROS_FILTER,		/* filter:, /ip firewall filter */
	ROS_MANGLE,		/* mangle:, /ip firewall mangle */
	ROS_RAW,		/* raw:, /ip firewall raw */
	ROS_TABLE_COUNT
};

/* "nat", "filter", "mangle", "raw" */
extern const char *const ros_table_names[ROS_TABLE_COUNT];

/* A 1-based file position. */
struct ros_pos {
	int line, col;
	int file;	/* which text: 0 the YAML, 1 an export file of its own */
};

/* Receives one complete message (no file name, no trailing newline). */
typedef void (*ros_error_fn)(void *arg, struct ros_pos pos, const char *msg);

struct match_env;

/*
 * Maps a byte offset in a piece of text (a YAML scalar's value) to the
 * file position it came from. NULL means "line 1, column off + 1".
 */
typedef struct ros_pos (*ros_map_fn)(void *arg, size_t off);

/* One key=value word of a rule, or one pair of a YAML mapping rule. */
struct ros_item {
	const char *key;
	const char *val;	/* unquoted, unescaped */
	struct ros_pos kpos, vpos;
};

struct ros_builder;

/**
 * ros_builder_new() - start building one table's ruleset.
 * @table: which table; decides chains, actions and keys allowed
 * @file: file name stored in each rule's loc (kept by pointer)
 * @ifnames: interface names that in-interface=/out-interface= may use;
 *           copied
 * @nifs: number of @ifnames
 * @err: error callback; @arg its argument
 */
struct ros_builder *ros_builder_new(enum ros_table table, const char *file,
    char *const *ifnames, int nifs, ros_error_fn err, void *arg);

/**
 * ros_builder_add() - add one rule given as words (the mapping form).
 * @pos: where the rule starts, for rule-level errors
 *
 * Every problem is reported through the error callback; the rule still
 * takes its place in the table so that later numbers stay right.
 */
void ros_builder_add(struct ros_builder *b, const struct ros_item *items,
    int n, struct ros_pos pos);

/*
 * ros_builder_add_invalid() - a rule that could not be read at all (the
 * caller reported why): it only keeps the numbering of later rules.
 */
void ros_builder_add_invalid(struct ros_builder *b, struct ros_pos pos);

/**
 * ros_builder_add_text() - add one rule in RouterOS one-line syntax,
 * optionally starting with "add".
 * @text: the line, NUL-terminated
 * @map: offset to file position, or NULL; @marg its argument
 */
void ros_builder_add_text(struct ros_builder *b, const char *text,
    ros_map_fn map, void *marg);

/**
 * ros_builder_add_export() - add every rule of a pasted RouterOS export:
 * `/ip firewall nat` (or filter) section lines, `add` lines, trailing
 * backslash continuations, `#` comments and blank lines.
 */
void ros_builder_add_export(struct ros_builder *b, const char *text,
    ros_map_fn map, void *marg);

/*
 * ros_builder_set_note() - where notes go (an unknown key in a disabled
 * rule, a user chain nothing jumps to): things worth saying that do not
 * stop the load. Without it they are dropped.
 */
void ros_builder_set_note(struct ros_builder *b, ros_error_fn note,
    void *arg);

/*
 * ros_builder_set_file() - the file name later rules record (an export
 * read from another file than the YAML).
 */
void ros_builder_set_file(struct ros_builder *b, const char *file);

/*
 * ros_builder_add_cmd() - add one `add` command read by the export
 * reader (ros_lex.h): its key=value words, its "!key" unset markers.
 */
struct ros_cmd;
void ros_builder_add_cmd(struct ros_builder *b, const struct ros_cmd *c);

/**
 * ros_builder_finish() - resolve chains and jump targets, bind matchers
 * that name other sections (interface lists) through @env, check for jump
 * loops, write each rule's canonical text, and free the builder.
 *
 * Return: the ruleset, or NULL when any error was reported since
 * ros_builder_new().
 */
struct ruleset *ros_builder_finish(struct ros_builder *b);
struct ruleset *ros_builder_finish_env(struct ros_builder *b,
    const struct match_env *env);

/* ros_key_known() - is @key a property of rules in @table? */
bool ros_key_known(enum ros_table table, const char *key);

/* ros_chain_allowed() - may table @t hold builtin chain @id? */
bool ros_chain_allowed(enum ros_table t, int id);

/* ros_builtin_chain_name() - "dstnat", "input", ... */
const char *ros_builtin_chain_name(int id);

/*
 * ros_edit_distance() - edit distance (insert, delete, substitute, swap
 * two adjacent characters), for "did you mean".
 */
int ros_edit_distance(const char *a, const char *b);

/*
 * ros_suggest() - the candidate closest to @word within edit distance 2
 * and at most half the length of @word (the first one on a tie), or
 * NULL. A candidate differing only in case counts as distance 1.
 * @cands is NULL-terminated unless @n >= 0 gives its length.
 */
const char *ros_suggest(const char *word, const char *const *cands, int n);

/*
 * ros_parse_addr() - strict dotted quad to a HOST order address.
 * Return: 0 or -1.
 */
int ros_parse_addr(const char *s, size_t len, uint32_t *addr);

/*
 * ros_vemit() - format a message and hand it to @fn at @pos (nothing when
 * @fn is NULL): the one formatter of the builders', the export reader's
 * and the lexer's errors and notes.
 */
void ros_vemit(ros_error_fn fn, void *arg, struct ros_pos pos,
    const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

/* ros_lookup() - index of @s in the NULL-terminated @names, or -1. */
int ros_lookup(const char *const *names, const char *s);

#endif
