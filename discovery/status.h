/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Read-only reports: --status (what xenloopd has published) and
 * --list-domains (what libxenctrl and libxenstore see).
 */
#ifndef XL_STATUS_H
#define XL_STATUS_H

#include <stdbool.h>

/* status.c APIs: */
int xl_status(const char *cfg_path, bool cfg_must_exist);
int xl_list_domains(void);

#endif /* XL_STATUS_H */
