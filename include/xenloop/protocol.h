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

/* Toolstack-written group key, relative to /local/domain/<domid>. */
#define XENLOOP_GROUP_KEY		"xenloop-group"

#endif /* _XENLOOP_PROTOCOL_H */
