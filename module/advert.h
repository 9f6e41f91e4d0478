/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Advertisement of this guest to dom0's xenloopd through XenStore.
 */
#ifndef _XENLOOP_ADVERT_H
#define _XENLOOP_ADVERT_H

/* advert.c APIs: */
int xl_advert_init(void);
void xl_advert_exit(void);

#endif /* _XENLOOP_ADVERT_H */
