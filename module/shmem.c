// SPDX-License-Identifier: GPL-2.0
/*
 * The memory and the event channels of one channel:
 *   - our control page, data area and grant directory: zeroed pages we
 *     own, granted read-only to the peer;
 *   - the peer's control page and data area, mapped read-only into
 *     unpopulated (or ballooned) pages from gnttab_alloc_pages(), never
 *     over memory we own, so that it works in PV and PVH guests;
 *   - the interdomain event channels, one per queue.
 *
 * Mapping, PV versus PVH.  An auto-translated (PVH) guest maps a grant at
 * a guest-physical frame: map each grant at its page's frame, then vmap()
 * the pages.  A PV guest cannot point a page-table entry at a frame it
 * does not own, so vmap() after the grant map would fault; instead we
 * vmap() the still-empty pages first (their p2m entries are invalid, so
 * the entries are made not-present, but the page tables now exist) and
 * let Xen write each entry with GNTMAP_host_map at that virtual address,
 * as xenbus does for PV rings.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/page.h>
#include <xen/xen.h>
#include <asm/xen/hypercall.h>

#include <xenloop/protocol.h>

#include "cp.h"

/* A directory page is a whole page of little-endian grant references. */
static_assert(XL_PAGE_SIZE / sizeof(__le32) == XENLOOP_REFS_PER_DIR);

/*
 * End every grant the peer no longer maps and free its page; keep the
 * others, compacted to the front of @own->pages and @own->refs (the
 * data area's order is gone with its vmap, only the set matters now).
 * With @defer, hand those to the grant table's deferred list instead,
 * which frees them whenever the peer lets go (a few a second).  Returns
 * how many grants @own still holds.
 */
static unsigned int own_end_grants(struct xl_own *own, bool defer)
{
	unsigned int i, k = 0, total = own->nr_data + own->nr_dir;

	for (i = 0; i < total; i++) {
		if (!own->pages[i])
			continue;
		if (i >= own->nr_granted) {
			__free_page(own->pages[i]);
		} else if (defer) {
			gnttab_end_foreign_access(own->refs[i], own->pages[i]);
			atomic_dec(&xl_cp.st.grants);
		} else if (gnttab_try_end_foreign_access(own->refs[i])) {
			__free_page(own->pages[i]);
			atomic_dec(&xl_cp.st.grants);
		} else {
			own->refs[k] = own->refs[i];
			own->pages[k++] = own->pages[i];
			if (k - 1 != i)
				own->pages[i] = NULL;
			continue;
		}
		own->pages[i] = NULL;
	}
	own->nr_granted = k;
	own->nr_data = k;
	own->nr_dir = 0;
	if (own->ctrl_page) {
		if (!own->ctrl_granted) {
			__free_page(own->ctrl_page);
		} else if (defer) {
			gnttab_end_foreign_access(own->ctrl_ref, own->ctrl_page);
			atomic_dec(&xl_cp.st.grants);
		} else if (gnttab_try_end_foreign_access(own->ctrl_ref)) {
			__free_page(own->ctrl_page);
			atomic_dec(&xl_cp.st.grants);
		} else {
			return k + 1;
		}
		own->ctrl_page = NULL;
		own->ctrl_granted = false;
	}
	return k;
}

/* Number of grants @own holds (data, directory and control pages). */
unsigned int xl_own_grants(const struct xl_own *own)
{
	return own->nr_granted + own->ctrl_granted;
}

/*
 * Free what the peer no longer maps; returns how many grants are left
 * (then @own keeps them, see xl_own_retire()).
 */
static unsigned int own_release(struct xl_own *own, bool defer)
{
	unsigned int left = 0;

	if (own->data) {
		vunmap(own->data);
		own->data = NULL;
	}
	if (own->pages)
		left = own_end_grants(own, defer);
	if (!left) {
		kvfree(own->pages);
		kvfree(own->refs);
		own->pages = NULL;
		own->refs = NULL;
	}
	return left;
}

void xl_own_free(struct xl_own *own)
{
	own_release(own, true);
}

/*
 * A channel's pages after teardown, in XL_PAGE_SIZE units: what the peer
 * still maps stays granted here, counted (xl_cp.st.retired) against the
 * peer's and the module's grant budgets, until xl_retired_reap() finds
 * it unmapped.  The kernel's deferred list would free the same pages
 * eventually, but nobody could tell how many a peer pins.
 */
struct xl_retired {
	struct list_head node;
	domid_t domid;
	unsigned int grants;
	struct xl_own own;
};

void xl_own_retire(struct xl_own *own, domid_t domid)
{
	struct xl_retired *r;
	unsigned int left = own_release(own, false);

	lockdep_assert_held(&xl_cp.lock);
	if (!left)
		return;
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r) {
		xl_own_free(own);
		return;
	}
	r->domid = domid;
	r->grants = left;
	r->own = *own;
	memset(own, 0, sizeof(*own));
	list_add_tail(&r->node, &xl_cp.retired);
	atomic_add(left, &xl_cp.st.retired);
}

/* Free what peers have unmapped since; true if anything is still held. */
bool xl_retired_reap(void)
{
	struct xl_retired *r, *tmp;
	unsigned int left;

	lockdep_assert_held(&xl_cp.lock);
	list_for_each_entry_safe(r, tmp, &xl_cp.retired, node) {
		left = own_release(&r->own, false);
		atomic_sub(r->grants - left, &xl_cp.st.retired);
		r->grants = left;
		if (!left) {
			list_del(&r->node);
			kfree(r);
		}
	}
	return !list_empty(&xl_cp.retired);
}

/* Grants that @domid's earlier channels still pin. */
unsigned int xl_retired_grants(domid_t domid)
{
	const struct xl_retired *r;
	unsigned int n = 0;

	lockdep_assert_held(&xl_cp.lock);
	list_for_each_entry(r, &xl_cp.retired, node)
		if (r->domid == domid)
			n += r->grants;
	return n;
}

/* Unload: what peers still map goes to the grant table's deferred list. */
void xl_retired_exit(void)
{
	struct xl_retired *r, *tmp;
	unsigned int n = 0;

	list_for_each_entry_safe(r, tmp, &xl_cp.retired, node) {
		n += r->grants;
		atomic_sub(r->grants, &xl_cp.st.retired);
		xl_own_free(&r->own);
		list_del(&r->node);
		kfree(r);
	}
	if (n)
		pr_info("%u pages still mapped by peers left to the grant table's deferred list\n",
			n);
}

/* Zero a spare area for the next channel with the same peer. */
void xl_own_reset(struct xl_own *own, u32 features)
{
	memset(own->data, 0, (size_t)own->nr_data << PAGE_SHIFT);
	memset(page_address(own->ctrl_page), 0, PAGE_SIZE);
	xl_fifo_ctrl_init(page_address(own->ctrl_page), own->order, features);
}

static int own_grant(struct xl_own *own, domid_t peer, struct page *page,
		     grant_ref_t *ref)
{
	int r = gnttab_grant_foreign_access(peer, xen_page_to_gfn(page), 1);

	if (unlikely(r < 0))
		return r;
	*ref = r;
	atomic_inc(&xl_cp.st.grants);
	return 0;
}

int xl_own_alloc(struct xl_own *own, domid_t peer, unsigned int order,
		 u32 features)
{
	unsigned int i, total;
	struct xl_ctrl_page *ctrl;
	__le32 *dir;
	int err = -ENOMEM;

	memset(own, 0, sizeof(*own));
	own->order = order;
	own->nr_data = 1u << order;
	own->nr_dir = DIV_ROUND_UP(own->nr_data, XENLOOP_REFS_PER_DIR);
	total = own->nr_data + own->nr_dir;
	own->pages = kvcalloc(total, sizeof(*own->pages), GFP_KERNEL);
	own->refs = kvcalloc(total, sizeof(*own->refs), GFP_KERNEL);
	if (unlikely(!own->pages || !own->refs))
		goto err;

	/* Every page is zeroed before it is granted: the peer sees only what we send it. */
	own->ctrl_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (unlikely(!own->ctrl_page))
		goto err;
	for (i = 0; i < total; i++) {
		own->pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (unlikely(!own->pages[i]))
			goto err;
	}
	own->data = vmap(own->pages, own->nr_data, VM_MAP, PAGE_KERNEL);
	if (unlikely(!own->data))
		goto err;

	for (i = 0; i < total; i++) {
		err = own_grant(own, peer, own->pages[i], &own->refs[i]);
		if (unlikely(err))
			goto err;
		own->nr_granted = i + 1;
	}
	/* The directory lists the data pages' references, in order. */
	for (i = 0; i < own->nr_data; i++) {
		dir = page_address(own->pages[own->nr_data +
					      i / XENLOOP_REFS_PER_DIR]);
		dir[i % XENLOOP_REFS_PER_DIR] = cpu_to_le32(own->refs[i]);
	}
	ctrl = page_address(own->ctrl_page);
	xl_fifo_ctrl_init(ctrl, order, features);
	err = own_grant(own, peer, own->ctrl_page, &own->ctrl_ref);
	if (unlikely(err))
		goto err;
	own->ctrl_granted = true;
	return 0;

err:
	xl_own_free(own);
	return err;
}

void xl_unmap_peer(struct xl_map *m)
{
	bool pv = !xen_feature(XENFEAT_auto_translated_physmap);
	struct gnttab_unmap_grant_ref *ops;
	struct page **mapped;
	unsigned int i, n = 0;
	unsigned long addr;

	if (!m->pages)
		return;
	/* PVH: drop our view first; the frames go away with the unmap. */
	if (!pv && m->addr) {
		vunmap(m->addr);
		m->addr = NULL;
	}
	if (m->nr_mapped) {
		ops = kvcalloc(m->nr, sizeof(*ops), GFP_KERNEL | __GFP_NOFAIL);
		mapped = kvcalloc(m->nr, sizeof(*mapped),
				  GFP_KERNEL | __GFP_NOFAIL);
		for (i = 0; i < m->nr; i++) {
			if (m->handles[i] == INVALID_GRANT_HANDLE)
				continue;
			if (pv)
				addr = (unsigned long)m->addr + i * PAGE_SIZE;
			else
				addr = (unsigned long)pfn_to_kaddr(page_to_xen_pfn(m->pages[i]));
			gnttab_set_unmap_op(&ops[n], addr, GNTMAP_host_map,
					    m->handles[i]);
			mapped[n++] = m->pages[i];
			m->handles[i] = INVALID_GRANT_HANDLE;
		}
		/* Nobody else holds a reference to these pages. */
		if (gnttab_unmap_refs(ops, NULL, mapped, n))
			pr_err("unmapping %u peer pages failed\n", n);
		for (i = 0; i < n; i++)
			if (ops[i].status != GNTST_okay)
				pr_err("unmap of a peer page: status %d\n",
				       ops[i].status);
		atomic_sub(m->nr_mapped, &xl_cp.st.maps);
		m->nr_mapped = 0;
		kvfree(mapped);
		kvfree(ops);
	}
	/* PV: Xen cleared the entries; now release the virtual range. */
	if (m->addr)
		vunmap(m->addr);
	m->addr = NULL;
	gnttab_free_pages(m->nr, m->pages);
	kvfree(m->pages);
	kvfree(m->handles);
	m->pages = NULL;
	m->handles = NULL;
}

int xl_map_peer(struct xl_map *m, domid_t peer, const grant_ref_t *refs,
		unsigned int nr)
{
	bool pv = !xen_feature(XENFEAT_auto_translated_physmap);
	struct gnttab_map_grant_ref *ops;
	unsigned int i, bad = 0;
	unsigned long addr;
	int err;

	memset(m, 0, sizeof(*m));
	m->nr = nr;
	m->pages = kvcalloc(nr, sizeof(*m->pages), GFP_KERNEL);
	m->handles = kvcalloc(nr, sizeof(*m->handles), GFP_KERNEL);
	ops = kvcalloc(nr, sizeof(*ops), GFP_KERNEL);
	if (unlikely(!m->pages || !m->handles || !ops)) {
		err = -ENOMEM;
		goto err_free;
	}
	for (i = 0; i < nr; i++)
		m->handles[i] = INVALID_GRANT_HANDLE;
	err = gnttab_alloc_pages(nr, m->pages);
	if (unlikely(err))
		goto err_free;

	if (pv) {
		m->addr = vmap(m->pages, nr, VM_MAP, PAGE_KERNEL_RO);
		if (unlikely(!m->addr)) {
			err = -ENOMEM;
			goto err_pages;
		}
	}
	for (i = 0; i < nr; i++) {
		if (pv)
			addr = (unsigned long)m->addr + i * PAGE_SIZE;
		else
			addr = (unsigned long)pfn_to_kaddr(page_to_xen_pfn(m->pages[i]));
		gnttab_set_map_op(&ops[i], addr,
				  GNTMAP_host_map | GNTMAP_readonly,
				  refs[i], peer);
	}
	err = gnttab_map_refs(ops, NULL, m->pages, nr);
	for (i = 0; i < nr; i++) {
		if (ops[i].status == GNTST_okay) {
			m->handles[i] = ops[i].handle;
			m->nr_mapped++;
		} else if (!bad++) {
			pr_debug("map of ref %u from d%u: status %d\n",
				 refs[i], peer, ops[i].status);
		}
	}
	atomic_add(m->nr_mapped, &xl_cp.st.maps);
	kvfree(ops);
	ops = NULL;
	if (unlikely(err || bad)) {
		/* A bad reference is the peer's fault: the caller says so. */
		err = err ?: -EACCES;
		goto err_unmap;
	}
	if (!pv) {
		m->addr = vmap(m->pages, nr, VM_MAP, PAGE_KERNEL_RO);
		if (unlikely(!m->addr)) {
			err = -ENOMEM;
			goto err_unmap;
		}
	}
	return 0;

err_unmap:
	xl_unmap_peer(m);
	return err;
err_pages:
	gnttab_free_pages(nr, m->pages);
err_free:
	kvfree(ops);
	kvfree(m->pages);
	kvfree(m->handles);
	m->pages = NULL;
	m->handles = NULL;
	return err;
}

/*
 * The lower domid of a pair allocates each queue's event channel as an
 * unbound port the higher one may bind (Documentation/control-plane.md,
 * 5.1).
 */
int xl_evtchn_alloc(domid_t peer, evtchn_port_t *port)
{
	struct evtchn_alloc_unbound op = {
		.dom = DOMID_SELF,
		.remote_dom = peer,
	};
	int err = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &op);

	if (unlikely(err))
		return err;
	*port = op.port;
	atomic_inc(&xl_cp.st.evtchns);
	return 0;
}

/* Close a port that was allocated but never bound to an IRQ. */
void xl_evtchn_close(evtchn_port_t port)
{
	struct evtchn_close op = { .port = port };

	if (HYPERVISOR_event_channel_op(EVTCHNOP_close, &op))
		pr_err("cannot close event channel %u\n", port);
	atomic_dec(&xl_cp.st.evtchns);
}
