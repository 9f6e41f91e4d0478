// SPDX-License-Identifier: GPL-2.0
/*
 * Suspend and resume.  Xen's save/restore and live migration suspend the
 * guest through drivers/xen/manage.c, which runs the device PM callbacks
 * (freeze before XenStore is suspended, restore or thaw after it is back)
 * but offers nothing to a module that is not a device.  So the module
 * registers a platform device of its own: its freeze callback closes every
 * channel (drain, unmap, revoke) while XenStore and the peers still work,
 * and restore/thaw re-arm the control plane, which then waits for dom0 to
 * publish our view again (after a restore or migration we are a new
 * domain with a new domid).  The device is registered after netfront's,
 * so it is frozen first and thawed last: netfront carries the traffic
 * meanwhile.
 */
#include <linux/platform_device.h>

#include "cp.h"

static struct platform_device *xl_pm_dev;

/* In the xenwatch thread, which holds xenwatch_mutex (see xl_cp_reap()). */
static int xl_pm_freeze(struct device *dev)
{
	mutex_lock(&xl_cp.lock);
	xl_cp.suspended = true;
	xl_cp.suspends++;
	/* After resume, dom0's views decide again who our peers are. */
	xl_peer_remove_all();
	mutex_unlock(&xl_cp.lock);
	xl_cp_reap();
	pr_info("suspending: every channel closed\n");
	return 0;
}

static void xl_pm_resume(bool new_domain)
{
	mutex_lock(&xl_cp.lock);
	xl_cp.suspended = false;
	xl_cp.resumes++;
	set_bit(XL_CPF_SELF, &xl_cp.flags);
	set_bit(XL_CPF_VIEW, &xl_cp.flags);
	mutex_unlock(&xl_cp.lock);
	pr_info("resumed%s: waiting for dom0's view\n",
		new_domain ? " as a new domain" : "");
	xl_cp_kick(0);
}

static int xl_pm_thaw(struct device *dev)
{
	xl_pm_resume(false);
	return 0;
}

static int xl_pm_restore(struct device *dev)
{
	xl_pm_resume(true);
	return 0;
}

static const struct dev_pm_ops xl_pm_ops = {
	.freeze = xl_pm_freeze,
	.thaw = xl_pm_thaw,
	.restore = xl_pm_restore,
};

static int xl_pm_probe(struct platform_device *pdev)
{
	return 0;
}

static struct platform_driver xl_pm_driver = {
	.probe = xl_pm_probe,
	.driver = {
		.name = KBUILD_MODNAME,
		.pm = &xl_pm_ops,
	},
};

int xl_pm_init(void)
{
	int err = platform_driver_register(&xl_pm_driver);

	if (err)
		return err;
	xl_pm_dev = platform_device_register_simple(KBUILD_MODNAME,
						    PLATFORM_DEVID_NONE, NULL, 0);
	if (IS_ERR(xl_pm_dev)) {
		platform_driver_unregister(&xl_pm_driver);
		return PTR_ERR(xl_pm_dev);
	}
	return 0;
}

void xl_pm_exit(void)
{
	platform_device_unregister(xl_pm_dev);
	platform_driver_unregister(&xl_pm_driver);
}
