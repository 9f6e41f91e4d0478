/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The xenloop control-plane protocol in XenStore, version 1, shared by the
 * guest module and xenloopd.  Documentation/control-plane.md is the
 * specification; these are its names and limits.
 */
#ifndef _XENLOOP_PROTOCOL_H
#define _XENLOOP_PROTOCOL_H

/* Protocol version this tree implements. */
#define XENLOOP_PROTO_VERSION		1
#define XENLOOP_PROTO_VERSION_MAX	65535

/* Guest side, relative to the guest's home /local/domain/<domid>. */
#define XENLOOP_ADVERT_DIR		"data/xenloop"
#define XENLOOP_ADVERT_VERSION		"version"
#define XENLOOP_ADVERT_FEATURES		"features"

/* Longest valid values, without the terminating NUL. */
#define XENLOOP_VERSION_MAXLEN		8
#define XENLOOP_FEATURES_MAXLEN		10	/* "0x" and 8 hex digits */

/* Feature bits a guest may advertise; none is defined in version 1 yet. */
#define XENLOOP_FEATURES_V1		0x00000000u

/* Dom0 side. */
#define XENLOOP_DOM0_ROOT		"/local/domain/0/xenloop"
#define XENLOOP_PAIRS_DIR		XENLOOP_DOM0_ROOT "/pairs"
#define XENLOOP_NEXT_GENERATION		XENLOOP_DOM0_ROOT "/next-generation"

/*
 * Channel handshake (Documentation/control-plane.md, section 5): nodes
 * each guest writes in its side of the pair directory, pairs/lo-hi/<own>.
 */
#define XENLOOP_HS_STATE		"state"		/* see below */
#define XENLOOP_HS_GENERATION		"generation"	/* own self-generation */
#define XENLOOP_HS_ATTEMPT		"attempt"	/* decimal u32, never 0 */
#define XENLOOP_HS_VERSION		"version"	/* channel format version */
#define XENLOOP_HS_FEATURES		"features"	/* 0x%08x, XL_FEAT_* */
#define XENLOOP_HS_RING_ORDER		"ring-order"	/* data area 2^order pages */
#define XENLOOP_HS_CTRL_REF		"ctrl-ref"	/* control page grant */
#define XENLOOP_HS_DIR_REFS		"dir-refs"	/* grant directory pages */
#define XENLOOP_HS_EVTCHN		"event-channel"	/* lower domid only */
#define XENLOOP_HS_PEER_ATTEMPT		"peer-attempt"	/* attempt mapped */

#define XENLOOP_HS_READY		"ready"
#define XENLOOP_HS_CONNECTED		"connected"
#define XENLOOP_HS_CLOSING		"closing"
#define XENLOOP_HS_CLOSED		"closed"

/*
 * MACs per guest in a view entry (D/peers/P/macs): at most this many vifs
 * of a guest are published, each as "xx:xx:xx:xx:xx:xx", separated by
 * single spaces.  xenloopd publishes no more; the module rejects an entry
 * with more (fail safe: no channel rather than one missing MACs).
 */
#define XENLOOP_MACS_MAX		16
#define XENLOOP_MAC_STRLEN		17
#define XENLOOP_MACS_MAXLEN		(XENLOOP_MACS_MAX * (XENLOOP_MAC_STRLEN + 1) - 1)

/* Grant references per directory page (little-endian u32 each). */
#define XENLOOP_REFS_PER_DIR		1024
#define XENLOOP_DIR_PAGES_MAX		16	/* 2^14 data pages */

/* Toolstack-written group key, relative to /local/domain/<domid>. */
#define XENLOOP_GROUP_KEY		"xenloop-group"

#endif /* _XENLOOP_PROTOCOL_H */
