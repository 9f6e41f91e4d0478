// SPDX-License-Identifier: GPL-2.0
/*
 * Advertisement: tell dom0's xenloopd that this guest speaks the xenloop
 * protocol by writing data/xenloop/{features,version} in the guest's own
 * XenStore area (Documentation/control-plane.md).  version is what
 * xenloopd treats as participation, so it is written in the same
 * transaction as features.  The nodes are removed on unload.
 *
 * After a save/restore or a migration the guest runs as a new domain whose
 * XenStore tree has no advertisement.  The kernel re-registers every
 * xenbus watch on resume, and a newly registered watch fires once, so a
 * watch on our own directory is enough to advertise again.
 */
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <xen/xenbus.h>

#include <xenloop/protocol.h>

#include "advert.h"
#include "xs.h"

static DEFINE_MUTEX(xl_advert_lock);
static bool xl_advert_on;

static int advert_write_txn(struct xenbus_transaction t, void *arg)
{
	int err = xenbus_printf(t, XENLOOP_ADVERT_DIR, XENLOOP_ADVERT_FEATURES,
				"0x%08x", XENLOOP_FEATURES_V1);

	return err ?: xenbus_printf(t, XENLOOP_ADVERT_DIR,
				    XENLOOP_ADVERT_VERSION, "%d",
				    XENLOOP_PROTO_VERSION);
}

static int advert_write(void)
{
	return xl_xs_transact(advert_write_txn, NULL);
}

static bool advert_present(void)
{
	char *v = xenbus_read(XBT_NIL, XENLOOP_ADVERT_DIR,
			      XENLOOP_ADVERT_VERSION, NULL);

	if (IS_ERR(v))
		return false;
	kfree(v);
	return true;
}

static void advert_changed(struct xenbus_watch *watch, const char *path,
			   const char *token)
{
	int err;

	mutex_lock(&xl_advert_lock);
	if (xl_advert_on && !advert_present()) {
		err = advert_write();
		if (err)
			pr_warn("cannot advertise again: %d\n", err);
		else
			pr_info("advertised again (new domain after resume?)\n");
	}
	mutex_unlock(&xl_advert_lock);
}

static struct xenbus_watch xl_advert_watch = {
	.node = XENLOOP_ADVERT_DIR,
	.callback = advert_changed,
};

int xl_advert_init(void)
{
	int err;

	mutex_lock(&xl_advert_lock);
	err = advert_write();
	if (!err)
		xl_advert_on = true;
	mutex_unlock(&xl_advert_lock);
	if (unlikely(err)) {
		pr_err("cannot write %s: %d\n", XENLOOP_ADVERT_DIR, err);
		goto err_rm;
	}
	err = register_xenbus_watch(&xl_advert_watch);
	if (unlikely(err)) {
		pr_err("cannot watch %s: %d\n", XENLOOP_ADVERT_DIR, err);
		goto err_rm;
	}
	pr_info("advertised protocol version %d, features 0x%08x\n",
		XENLOOP_PROTO_VERSION, XENLOOP_FEATURES_V1);
	return 0;

err_rm:
	mutex_lock(&xl_advert_lock);
	xl_advert_on = false;
	mutex_unlock(&xl_advert_lock);
	xenbus_rm(XBT_NIL, XENLOOP_ADVERT_DIR, "");
	return err;
}

void xl_advert_exit(void)
{
	unregister_xenbus_watch(&xl_advert_watch);
	mutex_lock(&xl_advert_lock);
	xl_advert_on = false;
	mutex_unlock(&xl_advert_lock);
	xenbus_rm(XBT_NIL, XENLOOP_ADVERT_DIR, "");
}
