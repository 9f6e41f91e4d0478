/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The xenloop control-plane protocol in XenStore, version 2, shared by the
 * guest module and xenloopd.  Documentation/control-plane.md is the
 * specification; these are its names and limits.
 */
#ifndef _XENLOOP_PROTOCOL_H
#define _XENLOOP_PROTOCOL_H

/*
 * XenStore protocol version this tree implements: the advertisements,
 * views and handshake nodes below (the shared-memory channel's own
 * format is XL_CHAN_VERSION in channel.h).  Version 2 added each vif's
 * network to the views and the vif pair to every record; a guest that
 * advertises version 1 cannot tell networks apart, so xenloopd leaves it
 * out of every view (no channel rather than one that crosses networks).
 */
#define XENLOOP_PROTO_VERSION		2
#define XENLOOP_PROTO_VERSION_MIN	2
#define XENLOOP_PROTO_VERSION_MAX	65535

/* Guest side, relative to the guest's home /local/domain/<domid>. */
#define XENLOOP_ADVERT_DIR		"data/xenloop"
#define XENLOOP_ADVERT_VERSION		"version"
#define XENLOOP_ADVERT_FEATURES		"features"

/* Longest valid values, without the terminating NUL. */
#define XENLOOP_VERSION_MAXLEN		8
#define XENLOOP_FEATURES_MAXLEN		10	/* "0x" and 8 hex digits */

/* Feature bits a guest may advertise; none is defined yet. */
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
/*
 * Channel version 3: "queues" is the number of queues the side offers
 * (decimal, 1..XL_QUEUES_MAX, a power of two); the channel uses the
 * smaller offer.  The lower domid writes queue 0's port in
 * "event-channel", as version 2 did, and those of queues 1..queues-1,
 * separated by single spaces, in "queue-event-channels".
 */
#define XENLOOP_HS_QUEUES		"queues"
#define XENLOOP_HS_QUEUE_EVTCHNS	"queue-event-channels"

#define XENLOOP_HS_READY		"ready"
#define XENLOOP_HS_CONNECTED		"connected"
#define XENLOOP_HS_CLOSING		"closing"
#define XENLOOP_HS_CLOSED		"closed"

/*
 * A guest's vifs in a view: its own in D/vifs, a peer's in
 * D/peers/P/vifs.  One "DEVID,MAC,NETWORK" per vif, separated by single
 * spaces, ordered by DEVID:
 *   DEVID	the vif's device id (backend/vif/<domid>/<devid>), decimal
 *		0..XENLOOP_VIF_DEVID_MAX, no leading zero;
 *   MAC	"xx:xx:xx:xx:xx:xx", lower case, from dom0's backend;
 *   NETWORK	16 lower-case hex digits naming the network the vif is
 *		attached to (a hash of its bridge): two vifs are on the same
 *		network iff these are equal.
 * At most XENLOOP_VIFS_MAX vifs of a guest are published; xenloopd
 * publishes no more, and the module rejects a value with more (fail safe:
 * no channel rather than one missing vifs).
 */
#define XENLOOP_VIFS_MAX		16
#define XENLOOP_VIF_DEVID_MAX		255
#define XENLOOP_MAC_STRLEN		17
#define XENLOOP_NET_STRLEN		16
#define XENLOOP_VIF_STRLEN		(3 + 1 + XENLOOP_MAC_STRLEN + 1 + XENLOOP_NET_STRLEN)
#define XENLOOP_VIFS_MAXLEN		(XENLOOP_VIFS_MAX * (XENLOOP_VIF_STRLEN + 1) - 1)

/* Grant references per directory page (little-endian u32 each). */
#define XENLOOP_REFS_PER_DIR		1024

/*
 * How often a XenStore transaction is run again when its commit finds
 * that something it read changed meanwhile (EAGAIN), by xenloopd and by
 * the module alike.
 */
#define XENLOOP_XS_RETRIES		32
#define XENLOOP_DIR_PAGES_MAX		16	/* 2^14 data pages */

/* Toolstack-written group key, relative to /local/domain/<domid>. */
#define XENLOOP_GROUP_KEY		"xenloop-group"

#endif /* _XENLOOP_PROTOCOL_H */
