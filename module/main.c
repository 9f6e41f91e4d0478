// SPDX-License-Identifier: GPL-2.0
/*
 * xenloop: shared-memory networking between co-resident Xen guests.
 *
 * Module init and exit.  Order of init: the data path (so that channels
 * have somewhere to go), the control plane (peer table and channels,
 * following dom0's view), suspend hooks, debugfs, and last the
 * advertisement that makes dom0 publish us.  Exit closes every channel
 * with a drain while the peers can still see us, then withdraws the
 * advertisement, and checks that nothing is left granted, mapped or bound.
 */
#include <linux/module.h>
#include <linux/init.h>
#include <xen/xen.h>

#include <xenloop/version.h>

#include "advert.h"
#include "cp.h"

const char *xl_guest_type(void)
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
	err = xl_peer_init();
	if (err)
		goto err_dp;
	err = xl_pm_init();
	if (err)
		goto err_peer;
	xl_debugfs_init();
	err = xl_advert_init();
	if (err)
		goto err_pm;
	pr_info("version %s loaded in a %s guest\n", XENLOOP_VERSION,
		xl_guest_type());
	return 0;

err_pm:
	xl_debugfs_exit();
	xl_pm_exit();
err_peer:
	xl_peer_exit();
err_dp:
	xl_dp_exit();
	return err;
}

static void __exit xl_mod_exit(void)
{
	int g, m, e, c;

	xl_pm_exit();
	xl_debugfs_exit();
	xl_peer_exit();
	xl_advert_exit();
	xl_dp_exit();
	g = atomic_read(&xl_cp.st.grants);
	m = atomic_read(&xl_cp.st.maps);
	e = atomic_read(&xl_cp.st.evtchns);
	c = atomic_read(&xl_cp.st.pchans);
	if (g || m || e || c)
		pr_err("leak at unload: %d grants, %d mapped pages, %d event channels, %d channels\n",
		       g, m, e, c);
	pr_info("unloaded\n");
}

module_init(xl_mod_init);
module_exit(xl_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Shared-memory networking between co-resident Xen guests");
MODULE_AUTHOR("xenloop developers");
MODULE_VERSION(XENLOOP_VERSION);
