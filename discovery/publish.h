/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Publishing: each participant's view under /local/domain/0/xenloop/<D>,
 * the per-pair directories for the channel handshake, and the persistent
 * generation counter.  Only what differs from what is already in XenStore
 * is written, a flush in one transaction.
 */
#ifndef XL_PUBLISH_H
#define XL_PUBLISH_H

#include <stdint.h>

struct xl_ctx;
struct xl_domain;

/* publish.c APIs: */
int xl_publish_init(struct xl_ctx *ctx);
int xl_publish_rebuild(struct xl_ctx *ctx);
uint64_t xl_publish_gen_alloc(struct xl_ctx *ctx);
void xl_publish_domain_changed(struct xl_ctx *ctx, struct xl_domain *d);
void xl_publish_domain_gone(struct xl_ctx *ctx, struct xl_domain *d);
void xl_publish_flush(struct xl_ctx *ctx);
void xl_publish_shutdown(struct xl_ctx *ctx);

#endif /* XL_PUBLISH_H */
