/* SPDX-License-Identifier: ISC */
/* TAP devices: create or attach, in a netns, with vnet header and offloads. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <linux/virtio_net.h>

#include "log.h"
#include "router.h"
#include "tap.h"
#include "tapring.h"
#include "xmalloc.h"

#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#define TUN_F_USO6 0x40
#endif

#define TAP_TXQUEUELEN	10000
#define TAP_SNDBUF	INT_MAX	/* the kernel's own "unlimited" */

/* Enter @netns, remembering where we were in *@oldfd. */
static int
netns_enter(const char *netns, int *oldfd, char **cause)
{
	char path[PATH_MAX];
	int fd;

	*oldfd = -1;
	if (netns == NULL)
		return 0;
	*oldfd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (*oldfd == -1) {
		xasprintf(cause, "/proc/self/ns/net: %s", strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "/run/netns/%s", netns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		xasprintf(cause, "netns %s: %s (create it with `ip netns add "
		    "%s`)", netns, strerror(errno), netns);
		close(*oldfd);
		*oldfd = -1;
		return -1;
	}
	if (setns(fd, CLONE_NEWNET) == -1) {
		xasprintf(cause, "netns %s: setns: %s", netns, strerror(errno));
		close(fd);
		close(*oldfd);
		*oldfd = -1;
		return -1;
	}
	close(fd);
	return 0;
}

static void
netns_leave(int oldfd)
{
	if (oldfd == -1)
		return;
	if (setns(oldfd, CLONE_NEWNET) == -1)
		fatal("setns back to the daemon's netns");
	close(oldfd);
}

/* Negotiate the offloads the kernel may hand us, best first. */
static unsigned int
tap_offloads(int fd)
{
	static const unsigned int tries[] = {
		TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN |
		    TUN_F_USO4 | TUN_F_USO6,
		TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN,
		TUN_F_CSUM,
	};
	size_t i;

	for (i = 0; i < sizeof(tries) / sizeof(tries[0]); i++)
		if (ioctl(fd, TUNSETOFFLOAD, tries[i]) == 0)
			return tries[i];
	return 0;
}

const char *
tap_offload_names(unsigned int o)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "%s%s%s%s%s%s",
	    o & TUN_F_CSUM ? "csum" : "none",
	    o & TUN_F_TSO4 ? ",tso4" : "", o & TUN_F_TSO6 ? ",tso6" : "",
	    o & TUN_F_TSO_ECN ? ",tso-ecn" : "",
	    o & TUN_F_USO4 ? ",uso4" : "", o & TUN_F_USO6 ? ",uso6" : "");
	return buf;
}

static int
tap_setup_link(struct iface *ifp, int s, char **cause)
{
	const struct conf_iface *c = ifp->conf;
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", c->tap);
	ifr.ifr_mtu = c->mtu;
	if (ioctl(s, SIOCSIFMTU, &ifr) == -1) {
		xasprintf(cause, "%s: set mtu %d: %s", c->tap, c->mtu,
		    strerror(errno));
		return -1;
	}
	ifr.ifr_qlen = TAP_TXQUEUELEN;
	if (ioctl(s, SIOCSIFTXQLEN, &ifr) == -1)
		log_warn("%s: set txqueuelen", c->tap);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == -1) {
		xasprintf(cause, "%s: get flags: %s", c->tap, strerror(errno));
		return -1;
	}
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) == -1) {
		xasprintf(cause, "%s: set up: %s", c->tap, strerror(errno));
		return -1;
	}
	return 0;
}

int
tap_open(struct iface *ifp, char **cause)
{
	const struct conf_iface *c = ifp->conf;
	struct ifreq ifr;
	int oldns, fd = -1, s = -1, sndbuf = TAP_SNDBUF, hdrsz;

	if (strlen(c->tap) >= IFNAMSIZ) {
		xasprintf(cause, "%s: tap name longer than %d", c->tap,
		    IFNAMSIZ - 1);
		return -1;
	}
	if (netns_enter(c->netns, &oldns, cause) == -1)
		return -1;
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		goto fail;
	}
	/* Does the device exist already (made with `ip tuntap add`)? */
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", c->tap);
	ifp->persistent = ioctl(s, SIOCGIFINDEX, &ifr) == 0;

	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd == -1) {
		xasprintf(cause, "/dev/net/tun: %s", strerror(errno));
		goto fail;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", c->tap);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr) == -1) {
		if (errno == EBUSY)
			xasprintf(cause, "%s: device busy (another process has "
			    "it open)", c->tap);
		else if (errno == EINVAL && ifp->persistent)
			xasprintf(cause, "%s: exists and is not a single-queue "
			    "tap: %s", c->tap, strerror(errno));
		else
			xasprintf(cause, "%s: TUNSETIFF: %s", c->tap,
			    strerror(errno));
		goto fail;
	}
	ifp->vnet = true;
	hdrsz = sizeof(struct virtio_net_hdr);
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdrsz) == -1) {
		xasprintf(cause, "%s: TUNSETVNETHDRSZ: %s", c->tap,
		    strerror(errno));
		goto fail;
	}
	ifp->offloads = tap_offloads(fd);
	if (ioctl(fd, TUNSETSNDBUF, &sndbuf) == -1)
		log_warn("%s: TUNSETSNDBUF", c->tap);
	if (tap_setup_link(ifp, s, cause) == -1)
		goto fail;
	close(s);
	netns_leave(oldns);
	ifp->fd = fd;
	log_info("%s: tap %s%s%s %s, offloads %s", c->name, c->tap,
	    c->netns ? " in netns " : "", c->netns ? c->netns : "",
	    ifp->persistent ? "attached" : "created",
	    tap_offload_names(ifp->offloads));
	return 0;
fail:
	if (fd != -1)
		close(fd);
	if (s != -1)
		close(s);
	netns_leave(oldns);
	return -1;
}

void
tap_close(struct iface *ifp)
{
	if (ifp->fd != -1)
		close(ifp->fd);
	ifp->fd = -1;
}

ssize_t
tap_write(struct iface *ifp, const uint8_t *buf, size_t len)
{
	ssize_t n;

	if (ifp->tr != NULL) {
		if (tapring_tx(ifp->tr, ifp, buf, len))
			return (ssize_t)len;
		tapring_flush(ifp->tr);	/* what was queued goes first */
	}
	n = write(ifp->fd, buf, len);
	return tap_tx_count(ifp, len, n) ? n : -1;
}

bool
tap_tx_count(struct iface *ifp, size_t len, ssize_t n)
{
	if (n < 0 || (size_t)n != len) {
		ifp->st.drops[DROP_TX_ERROR]++;
		return false;
	}
	ifp->st.tx_packets++;
	ifp->st.tx_bytes += len - (ifp->vnet ? sizeof(struct virtio_net_hdr) : 0);
	return true;
}
