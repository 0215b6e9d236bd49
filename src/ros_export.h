/* SPDX-License-Identifier: ISC */
/*
 * A whole RouterOS export (`routeros:`): each section goes where it
 * belongs. The four firewall tables go to their rule builders, address
 * lists to the config's address-list set, interface lists are resolved
 * here, and /ip address and /ip route are handed back to the config
 * loader, which owns interfaces and routes. A section hairpind does not
 * model is skipped with one note; a property it cannot honour inside a
 * modelled one is an error (SPEC section 9).
 */
#ifndef HAIRPIND_ROS_EXPORT_H
#define HAIRPIND_ROS_EXPORT_H

#include "conf.h"
#include "ros_lex.h"
#include "routeros.h"

struct addrlist_set;

struct ros_export_ops {
	ros_error_fn err;		/* errors, with positions */
	ros_error_fn note;		/* notes (sections skipped, ...) */
	void *arg;
	/* /ip address and /ip route lines, for the config loader */
	void (*address)(void *arg, const struct ros_cmd *c);
	void (*route)(void *arg, const struct ros_cmd *c);
	/* /ip firewall service-port lines (the NAT helpers) */
	void (*service_port)(void *arg, const struct ros_cmd *c);
	/* /ip dns set ... and /ip dns static add ... (SPEC section 10) */
	void (*dns)(void *arg, const struct ros_cmd *c);
	void (*dns_static)(void *arg, const struct ros_cmd *c);
};

struct ros_export;

/**
 * ros_export_new() - a reader feeding @b (one builder per table, indexed
 * by enum ros_table) and @alists.
 * @ifnames: the config's interface names, by index
 */
struct ros_export *ros_export_new(struct ros_builder **b,
    struct addrlist_set *alists, char *const *ifnames, int nifs,
    const struct ros_export_ops *ops);

/* ros_export_text() - read one export (a block string or a file). */
void ros_export_text(struct ros_export *x, const char *text, ros_map_fn map,
    void *marg);

/**
 * ros_export_iflists() - resolve the interface lists read so far (with
 * the builtins all, none, dynamic and static) into @out.
 */
void ros_export_iflists(struct ros_export *x, struct conf_iflist **out,
    int *n);

/* ros_iflist_lookup() - a match_env callback over resolved lists. */
int64_t ros_iflist_lookup(const struct conf_iflist *l, int n,
    char *const *ifnames, int nifs, const char *name);

/* ros_export_summary() - "sections skipped" etc. counts for -t. */
void ros_export_counts(const struct ros_export *x, int *skipped,
    int *alist_entries, int *iflists);

void ros_export_free(struct ros_export *x);

/* ros_export_sections() - the sections read, as "/ip/firewall/nat", NULL
   ended (docs/ROUTEROS.md must name each). */
const char *const *ros_export_sections(void);

#endif
