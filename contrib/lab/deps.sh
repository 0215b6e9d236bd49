# SPDX-License-Identifier: ISC
# shellcheck shell=bash
# The Debian 12 packages hairpind's build, tests and lab need, and a
# function that installs the missing ones (sourced by seed-lab.sh,
# contrib/run-tests.sh and .ci/run).

HP_BUILD_DEPS=(build-essential autoconf automake libtool pkg-config
    libevent-dev libyaml-dev libcap-ng-dev check libjansson-dev
    libsystemd-dev libseccomp-dev libldns-dev liburing-dev)
HP_RUN_DEPS=(iproute2 curl iperf3 python3 python3-yaml python3-scapy
    nftables iputils-ping socat procps python3-prometheus-client systemd
    tcpdump traceroute python3-pyftpdlib tftp-hpa tftpd-hpa dnsutils
    ldnsutils dnsmasq-base dnsperf)
# What tests/systemd/nspawn.sh needs besides (CI installs them): building
# the Debian package, linting it, and booting Debian 12 in a container.
HP_NSPAWN_DEPS=(debhelper fakeroot lintian bash-completion systemd-container
    debootstrap)

# hp_missing PKG...: print the packages that are not installed.
hp_missing() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		    grep -q 'install ok installed' || echo "$p"
	done
}

# hp_install_deps [EXTRA...]: install what is missing of the build and run
# dependencies and EXTRA; quiet when nothing is.
# shellcheck disable=SC2120 # EXTRA is optional
hp_install_deps() {
	local missing
	mapfile -t missing < <(hp_missing "${HP_BUILD_DEPS[@]}" \
	    "${HP_RUN_DEPS[@]}" "$@")
	[ ${#missing[@]} -gt 0 ] || return 0
	if [ "$(id -u)" != 0 ]; then
		echo "missing packages (run as root to install): ${missing[*]}" >&2
		return 1
	fi
	if ! command -v apt-get >/dev/null; then
		echo "missing packages and no apt-get: ${missing[*]}" >&2
		return 1
	fi
	echo "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq &&
	    apt-get install -y -qq --no-install-recommends "${missing[@]}" \
	    >/dev/null
}
