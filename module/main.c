// SPDX-License-Identifier: GPL-2.0
/*
 * xenloop: shared-memory networking between co-resident Xen guests.
 *
 * Module init and exit.  The data path and the channels are added by later
 * work; for now the module establishes where it may run and advertises the
 * guest to dom0's xenloopd (advert.c).
 */
#include <linux/module.h>
#include <linux/init.h>
#include <xen/xen.h>

#include <xenloop/version.h>

#include "advert.h"
#include "chan.h"

static const char *guest_type(void)
{
	if (xen_pv_domain())
		return "PV";
	if (xen_pvh_domain())
		return "PVH";
	return "HVM";
}

static int __init xl_mod_init(void)
{
	int err;

	/*
	 * Only a Xen guest has peers to talk to.  dom0 runs xenloopd instead
	 * of the module, so refuse there too rather than pretend to work.
	 */
	if (!xen_domain())
		return -ENODEV;
	if (xen_initial_domain()) {
		pr_info("not loading in dom0; run xenloopd there\n");
		return -ENODEV;
	}

	err = xl_dp_init();
	if (err)
		return err;
	err = xl_advert_init();
	if (err) {
		xl_dp_exit();
		return err;
	}
	pr_info("version %s loaded in a %s guest\n", XENLOOP_VERSION,
		guest_type());
	return 0;
}

static void __exit xl_mod_exit(void)
{
	xl_advert_exit();
	xl_dp_exit();
	pr_info("unloaded\n");
}

module_init(xl_mod_init);
module_exit(xl_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Shared-memory networking between co-resident Xen guests");
MODULE_AUTHOR("xenloop developers");
MODULE_VERSION(XENLOOP_VERSION);
