/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Strict parsers for every value xenloopd reads from XenStore.  Values come
 * as (buffer, length) because a XenStore value may contain any byte,
 * including NUL; nothing here trusts a terminator.  Pure functions, no
 * XenStore, so that the unit tests can hammer them.
 */
#ifndef XL_VALIDATE_H
#define XL_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xenloop/protocol.h>

#define XL_MAC_LEN		6
#define XL_MAC_STRLEN		XENLOOP_MAC_STRLEN	/* "00:16:3e:00:00:01" */
#define XL_DOMID_MAX		0x7fefu	/* DOMID_FIRST_RESERVED - 1 */

/* validate.c APIs: */
bool xl_parse_version(const char *buf, size_t len, unsigned int *version);
bool xl_parse_features(const char *buf, size_t len, uint32_t *features);
bool xl_parse_mac(const char *buf, size_t len, uint8_t mac[XL_MAC_LEN]);
void xl_format_mac(const uint8_t mac[XL_MAC_LEN], char out[XL_MAC_STRLEN + 1]);
bool xl_parse_u64(const char *buf, size_t len, uint64_t *val);
bool xl_parse_domid(const char *s, unsigned int *domid);
bool xl_parse_pair(const char *s, unsigned int *lo, unsigned int *hi);
bool xl_valid_token(const char *buf, size_t len, size_t max);

#endif /* XL_VALIDATE_H */
