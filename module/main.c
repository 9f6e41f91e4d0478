// SPDX-License-Identifier: GPL-2.0
/*
 * xenloop: shared-memory networking between co-resident Xen guests.
 *
 * Module init and exit.  The data path, the channel and the control plane
 * are added by later work; for now the module only establishes where it may
 * run, so that the lab can prove it loads and unloads cleanly in PV and PVH
 * guests.
 */
#include <linux/module.h>
#include <linux/init.h>
#include <xen/xen.h>

#include <xenloop/version.h>

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

	pr_info("version %s loaded in a %s guest\n", XENLOOP_VERSION,
		guest_type());
	return 0;
}

static void __exit xl_mod_exit(void)
{
	pr_info("unloaded\n");
}

module_init(xl_mod_init);
module_exit(xl_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Shared-memory networking between co-resident Xen guests");
MODULE_AUTHOR("xenloop developers");
MODULE_VERSION(XENLOOP_VERSION);
